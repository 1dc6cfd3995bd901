"""Migration claims 0006 on rows as they stood before it: accounts become people, the old
excerpts (a copy of the seed's, tests/data/evidence_before_0006.json) are split into the
source's words and the curator's summary, and each row says which copy was read."""

import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from claims.copies import copy_kind

BEFORE = [("claims", "0005_roles_from_code"), ("accounts", "0001_initial")]
AFTER = [("claims", "0006_people_and_evidence_text"), ("accounts", "0002_person")]
OLD_ROWS = json.loads(
    (Path(__file__).parent / "data" / "evidence_before_0006.json").read_text(encoding="utf-8")
)
SOURCE_URL = "http://www.china-embassy.org/eng/zmgxss/t1173649.htm"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(executor_leaves())


def executor_leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


def test_people_and_evidence_text(old_apps):
    User = old_apps.get_model("auth", "User")
    Document = old_apps.get_model("claims", "Document")
    Claim = old_apps.get_model("claims", "Claim")
    HistoricalClaim = old_apps.get_model("claims", "HistoricalClaim")
    Source = old_apps.get_model("sources", "Source")
    Evidence = old_apps.get_model("claims", "Evidence")
    reviewer = User.objects.create(username="rev", first_name="Ada", last_name="Reviewer")
    curator = User.objects.create(username="cur")
    document = Document.objects.create(title="T", slug="t", body="Trade grew.", body_sha256="x")
    claim = Claim.objects.create(
        document=document, key="C001", quote="Trade grew.", start=0, end=11,
        claim_type="statistic", status="published", reviewed_by=reviewer,
        status_changed_by=curator,
    )  # fmt: skip
    HistoricalClaim.objects.create(
        id=claim.pk, document_id=document.pk, key="C001", quote="Trade grew.", start=0, end=11,
        claim_type="statistic", status="in_review", status_changed_by_id=reviewer.pk,
        history_date="2026-01-01T00:00:00Z", history_type="~",
        created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z",
    )  # fmt: skip
    source = Source.objects.create(key="s", kind="web_page", title="S", url=SOURCE_URL)
    for index, row in enumerate(OLD_ROWS):
        other = Claim.objects.create(
            document=document, key=f"E{index:03}", quote="Trade grew.", start=0, end=11,
            claim_type="statistic",
        )  # fmt: skip
        Evidence.objects.create(claim=other, source=source, **row)

    apps = migrate(AFTER)

    Claim = apps.get_model("claims", "Claim")
    claim = Claim.objects.select_related("reviewed_by", "status_changed_by").get(key="C001")
    assert (claim.reviewed_by.username, claim.reviewed_by.display_name) == ("rev", "Ada Reviewer")
    assert claim.reviewed_by.user_id == reviewer.pk
    assert claim.status_changed_by.username == "cur"
    version = apps.get_model("claims", "HistoricalClaim").objects.get(id=claim.pk)
    assert version.status_changed_by_id == claim.reviewed_by.pk
    assert apps.get_model("accounts", "Person").objects.count() == 2

    rows = apps.get_model("claims", "Evidence").objects.order_by("claim__key")
    pairs = list(zip(OLD_ROWS, rows, strict=True))

    def row_for(opening: str):
        return next(row for old, row in pairs if old["excerpt"].startswith(opening))

    for old, row in pairs:
        # nothing is lost: every word of the old text is in the excerpt or the summary
        assert words(old["excerpt"]) <= words(row.excerpt) | words(row.summary), old["excerpt"]
        assert row.copy_kind == copy_kind(old["consulted_url"], SOURCE_URL)
    plain = row_for("Both history")
    assert plain.excerpt.startswith("Both history and reality") and plain.summary == ""
    described = row_for("Xi's speech")
    assert described.excerpt == "" and described.summary.startswith("Xi's speech “called")
    quoted = row_for("'The Government")
    assert quoted.excerpt.startswith("The Government of") and not quoted.excerpt.endswith("'")
    translated = row_for("“1949")
    assert translated.excerpt.startswith("1949年10月1日") and translated.summary.startswith(
        "1 October"
    )
