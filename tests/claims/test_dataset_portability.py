"""Datasets travel: an export imports into a fresh, migrated database with no accounts and
exports again byte for byte; people travel as data (--map-user puts them on local
accounts); --published-only holds what an anonymous API reader sees and nothing more; an
unmigrated database and bad values get sentences, not tracebacks."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.models import Person
from claims.choices import ClaimStatus
from claims.datasets import DatasetError, dataset_export, dataset_import
from claims.datasets.registry import DATASET
from claims.models import Claim, Correction, DocumentVersion, Evidence
from claims.services import claim_note_add
from claims.workflow import claim_transition
from sources.models import Source
from tests.conftest import SEED
from tests.factories import user_in_group

pytestmark = pytest.mark.django_db

NOTE = "Internal-note-marker: ask the archive for the signed original."

# Tables a migrated database starts with rows in (the roles migration's groups, content
# types and permissions); everything else is wiped to make a fresh database.
KEPT_TABLES = {
    "django_migrations", "django_content_type", "auth_permission", "auth_group",
    "auth_group_permissions",
}  # fmt: skip


def fresh_database() -> None:
    """As after `migrate` on an empty database: no content, no people, no accounts. (Raw
    deletes inside the test's transaction; the ORM would collect and signal row by row.)"""
    tables = set(connection.introspection.django_table_names(only_existing=True))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(t) for t in sorted(tables - KEPT_TABLES))
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks pending from the setup
            cursor.execute(f"TRUNCATE {names} CASCADE")
        else:
            for table in sorted(tables - KEPT_TABLES):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


@pytest.fixture
def worked_seed(seed_dataset, db):
    """The seed (imported once for the module), with claims moved by two people: a curator
    and a reviewer. Each test's changes are rolled back."""
    curator = user_in_group("curator", "curators")
    reviewer = user_in_group("reviewer", "reviewers")
    reviewer.first_name, reviewer.last_name = "Rita", "Reviewer"
    reviewer.save()
    in_review = Claim.objects.filter(status=ClaimStatus.IN_REVIEW).order_by("key").first()
    published = Claim.objects.filter(status=ClaimStatus.PUBLISHED).order_by("key").first()
    claim_transition(claim=in_review, target=ClaimStatus.DRAFT, user=curator)
    claim_transition(claim=published, target=ClaimStatus.RETRACTED, user=reviewer)
    claim_note_add(claim=published, user=reviewer, text="Retracted: the source was a mirror.")
    claim_note_add(claim=in_review, user=curator, text=NOTE)
    # An earlier text of the document, and a correction on the public record.
    document = published.document
    DocumentVersion.objects.get_or_create(
        document=document, number=1,
        defaults={"body": document.body, "body_sha256": document.body_sha256},
    )  # fmt: skip
    Correction.objects.create(
        claim=published, reason="The verdict summary named the wrong year.",
        changes=[{"field": "verdict_summary", "old": "1971", "new": "1972"}],
        made_by=Person.for_user(reviewer),
    )  # fmt: skip
    return curator, reviewer


def test_round_trip_into_a_fresh_database_without_accounts(worked_seed, tmp_path):
    exported = dataset_export()
    objects = json.loads(exported)
    people = [o["fields"] for o in objects if o["model"] == "accounts.person"]
    assert people == [
        {"username": "curator", "display_name": ""},
        {"username": "reviewer", "display_name": "Rita Reviewer"},
    ]  # usernames and names only: never the link to an account
    path = tmp_path / "export.json"
    path.write_text(exported, encoding="utf-8")

    fresh_database()
    assert not get_user_model().objects.exists()
    call_command("import_dataset", str(path), verbosity=0)

    assert not get_user_model().objects.exists()  # nobody can sign in because of a dataset
    assert set(Person.objects.values_list("username", "user")) == {
        ("curator", None),
        ("reviewer", None),
    }
    retracted = Claim.objects.get(status=ClaimStatus.RETRACTED)
    assert retracted.status_changed_by.display_name == "Rita Reviewer"
    assert dataset_export() == exported
    note = Claim.objects.get(status=ClaimStatus.DRAFT, notes__isnull=False).notes.get()
    assert (note.author.username, note.text) == ("curator", NOTE)


def test_map_user_puts_the_work_on_a_local_account(worked_seed, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(dataset_export(), encoding="utf-8")
    fresh_database()
    ada = get_user_model().objects.create_user("ada")
    reviewer = get_user_model().objects.create_user("reviewer")
    call_command("import_dataset", str(path), "--map-user", "curator=ada", verbosity=0)

    assert get_user_model().objects.count() == 2
    moved_back = Claim.objects.get(status=ClaimStatus.DRAFT, status_changed_by__isnull=False)
    assert moved_back.status_changed_by.user == ada
    retracted = Claim.objects.get(status=ClaimStatus.RETRACTED)
    assert retracted.status_changed_by.user == reviewer  # same username: linked as it is
    assert not Person.objects.filter(username="curator").exists()


def test_map_user_must_be_old_equals_new(tmp_path):
    with pytest.raises(CommandError, match="OLD=NEW"):
        call_command("import_dataset", str(SEED), "--map-user", "curator")


def test_published_only_holds_what_an_anonymous_api_reader_sees(worked_seed):
    objects = json.loads(dataset_export(published_only=True))
    by_model: dict[str, list[dict]] = {}
    for item in objects:
        by_model.setdefault(item["model"], []).append(item["fields"])
    api = APIClient()

    def everything(url: str) -> list[dict]:
        rows, page = [], f"{url}?page_size=200"
        while page:
            answer = api.get(page).json()
            rows += answer["results"]
            page = answer["next"]
        return rows

    api_claims = {(c["document"], c["key"]): c for c in everything("/api/claims/")}
    exported_claims = {(c["document"][0], c["key"]): c for c in by_model["claims.claim"]}
    assert set(exported_claims) == set(api_claims)
    assert {c["status"] for c in exported_claims.values()} <= {"published", "retracted"}
    for key, fields in exported_claims.items():
        assert set(fields) - {"document", "section", "topics", "same_as"} <= set(api_claims[key])
        for name in ("quote", "status", "verdict", "verdict_summary", "paraphrase"):
            assert fields[name] == api_claims[key][name]
    assert "accounts.person" not in by_model and "claims.claimnote" not in by_model
    assert "Internal-note-marker" not in json.dumps(objects)
    api_sources = {s["key"] for s in everything("/api/sources/")}
    assert {s["key"] for s in by_model["sources.source"]} == api_sources
    assert len(by_model["claims.evidence"]) == api.get("/api/evidence/").json()["count"]
    # The drafts and claims in review are not there, and neither is anything only they cite.
    hidden = Claim.objects.exclude(status__in=["published", "retracted"])
    assert hidden.exists()
    assert not {(c.document.slug, c.key) for c in hidden} & set(exported_claims)
    only_hidden = Source.objects.exclude(evidence__claim__status__in=["published", "retracted"])
    assert not {s.key for s in only_hidden} & {s["key"] for s in by_model["sources.source"]}


def test_a_published_only_export_imports_into_a_fresh_database(worked_seed, tmp_path):
    exported = dataset_export(published_only=True)
    path = tmp_path / "public.json"
    path.write_text(exported, encoding="utf-8")
    fresh_database()
    dataset_import(paths=[path])
    assert dataset_export(published_only=True) == exported
    assert not Claim.objects.exclude(status__in=["published", "retracted"]).exists()


def test_export_command_says_what_it_wrote(worked_seed, tmp_path, capsys):
    path = tmp_path / "out.json"
    call_command("export_dataset", "-o", str(path))
    said = capsys.readouterr().out
    claims = Claim.objects.count()
    assert f"{claims} claims (" in said and "1 retracted" in said and "1 draft" in said
    assert f"{Source.objects.count()} sources" in said
    assert f"{Evidence.objects.count()} evidence" in said and "2 people" in said
    assert "2 claim notes" in said
    assert path.read_text(encoding="utf-8") == dataset_export()
    assert not (tmp_path / "out.json.partial").exists()


def test_registry_keys_are_the_models_natural_keys(worked_seed):
    for spec in DATASET:
        row = spec.model._default_manager.order_by("pk").first()
        assert row is not None, spec.label
        values = spec.model._default_manager.filter(pk=row.pk).values_list(*spec.key).get()
        as_written = [v.isoformat() if isinstance(v, datetime.datetime) else v for v in values]
        assert tuple(as_written) == tuple(row.natural_key()), spec.label


EVIDENCE = {
    "claim": ["respect-history-china-us-relations", "C005"],
    "source": ["china-embassy-us-xi-sed-opening-2014"],
    "stance": "qualifies",
    "excerpt": "Both sides should take a long-term perspective.",
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"excerpt": 42}, "excerpt: must be text (a JSON string), not int."),
        ({"source": None, "summary": "Says so."}, "source: is missing: a claims.evidence needs"),
        (
            {"copy_kind": "mirror"},
            "copy_kind: Value 'mirror' is not a valid choice. Choose one of: 'publisher', "
            "'archive', 'third_party', ''.",
        ),
        ({"summary": ["a", "list"]}, "summary: must be a single value, not list."),
    ],
)
def test_dataset_rules_give_clear_errors(seed_dataset, db, tmp_path, change, expected):
    fields = {**EVIDENCE, **change}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"model": "claims.evidence", "fields": fields}]), "utf-8")
    with pytest.raises(DatasetError) as refused:
        dataset_import(paths=[path])
    messages = [str(problem) for problem in refused.value.problems]
    assert any(expected in message for message in messages), messages


def test_a_person_never_brings_an_account_link(tmp_path):
    path = tmp_path / "person.json"
    person = {"model": "accounts.person", "fields": {"username": "ada", "user": ["admin"]}}
    path.write_text(json.dumps([person]), "utf-8")
    with pytest.raises(DatasetError, match="problem") as refused:
        dataset_import(paths=[path])
    assert "user: belongs to one database" in str(refused.value.problems[0])
    with transaction.atomic():
        assert not Person.objects.exists()


def test_copy_kind_is_derived_on_import_whatever_the_file_says(seed_dataset, db, tmp_path):
    data = json.loads(dataset_export())
    row = next(o for o in data if o["model"] == "claims.evidence" and o["fields"]["consulted_url"])
    expected = row["fields"]["copy_kind"]
    row["fields"]["copy_kind"] = "archive" if expected != "archive" else "publisher"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data), "utf-8")
    dataset_import(paths=[path])
    assert (
        Evidence.objects.get_by_natural_key(
            *row["fields"]["claim"], *row["fields"]["source"], row["fields"]["stance"]
        ).copy_kind
        == expected
    )
