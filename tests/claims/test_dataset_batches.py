"""Imports in batches: queries per batch, not per object; the same rows and history as one by
one; and a batch that cannot be written in bulk still names each problem's object and field."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.datasets import DatasetError, batches, dataset_import, write_dataset
from claims.datasets import importing as importing_module
from claims.models import Claim, Document, Evidence, Topic
from claims.models import Section as SectionModel
from tests.claims.test_dataset_memory import empty_database, generated_document
from tests.claims.test_datasets import DOC, minimal_dataset
from tests.factories import BODY

pytestmark = pytest.mark.django_db


def export_file(tmp_path, slug: str, claims: int) -> str:
    """A dataset of one generated document: its section, `claims` claims, one evidence row
    (and the source) per claim."""
    generated_document(slug, claims)
    path = tmp_path / f"{slug}.json"
    with path.open("w", encoding="utf-8") as out:
        write_dataset(out, document_slugs=[slug])
    return str(path)


def queries_to_import(path: str) -> tuple[int, int]:
    """The queries an import takes: (INSERTs, others). The database backend splits an
    INSERT of many rows to fit its parameter limit (999 on SQLite): a statement per few
    dozen rows there, one per table on PostgreSQL."""
    with CaptureQueriesContext(connection) as queries:
        dataset_import(paths=[path])
    inserts = sum(query["sql"].startswith("INSERT") for query in queries.captured_queries)
    return inserts, len(queries) - inserts


def test_queries_do_not_grow_with_the_objects_of_a_batch(tmp_path):
    """100 claims with their evidence or 200 (both within one batch): the same queries, but
    for the backend's split of long INSERTs."""
    small, large = export_file(tmp_path, "small", 100), export_file(tmp_path, "large", 200)
    empty_database()
    small_inserts, small_queries = queries_to_import(small)
    empty_database()
    large_inserts, large_queries = queries_to_import(large)
    assert Claim.objects.count() == 200 and Evidence.objects.count() == 200
    assert small_queries == large_queries, (small_queries, large_queries)
    # 203 objects (one by one took about 2,000): a few queries per model, and planner
    # statistics for the ten tables at the end.
    assert small_queries < 60, small_queries
    assert large_inserts <= 30, large_inserts  # 403 rows and their 403 history entries


def test_more_objects_than_a_batch_take_a_few_queries_per_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(importing_module, "BATCH_ENTRIES", 50)
    path = export_file(tmp_path, "doc", 200)  # 403 objects: 10 batches
    empty_database()
    inserts, queries = queries_to_import(path)
    assert Claim.objects.count() == 200 and Evidence.objects.count() == 200
    assert queries <= 10 * 12 + 10, queries
    assert inserts <= 10 * 8, inserts


def write(tmp_path, data, name="dataset.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def changed_dataset() -> list[dict]:
    """The minimal dataset with a second topic, the claim retagged and reworded."""
    data = minimal_dataset()
    data.insert(1, {"model": "claims.topic", "fields": {"name": "Taiwan", "slug": "taiwan"}})
    claim = next(item for item in data if item["model"] == "claims.claim")
    claim["fields"].update(paraphrase="Reworded.", topics=[["taiwan"]])
    return data


# Columns that differ between two imports of the same data: ids, and when it happened (the
# dataset has no timestamps: new rows are stamped with the time of the import).
VOLATILE = {"history_id", "history_date", "created_at", "updated_at"}


def history_rows() -> dict[str, list]:
    """Every history entry the import wrote, without ids and times, with its m2m links."""
    rows = {}
    for model in (Topic, Document, SectionModel, Claim, Evidence):
        history = model.history.model
        names = [
            f.attname
            for f in history._meta.concrete_fields
            if f.attname not in VOLATILE
            and (f.attname == "history_user_id" or not f.attname.endswith("id"))
        ]
        entries = []
        for version in history.objects.order_by("history_date", "history_id"):
            entry = {name: getattr(version, name) for name in names}
            entry["natural_key"] = version.instance.natural_key()
            if model is Claim:
                entry["topics"] = sorted(link.topic.slug for link in version.topics.all())
            entries.append(entry)
        rows[model._meta.label_lower] = entries
    return rows


def import_twice(tmp_path, user):
    dataset_import(paths=[write(tmp_path, minimal_dataset())], user=user)
    dataset_import(paths=[write(tmp_path, changed_dataset(), "changed.json")], user=user)


def test_history_is_what_one_by_one_writing_leaves(tmp_path, monkeypatch, curator):
    """Created ('+') and changed ('~') entries, user, reason, values and topic links: the
    same whether the rows were written in bulk or one by one."""
    import_twice(tmp_path, curator)
    in_bulk = history_rows()
    assert in_bulk["claims.claim"][-1]["history_type"] == "~"
    assert in_bulk["claims.claim"][-1]["topics"] == ["taiwan"]
    for model in (Evidence, Claim, SectionModel, Document, Topic):
        model.objects.all().delete()
        model.history.all().delete()  # with the entries the deletions wrote

    def refuse(*args, **kwargs):
        raise batches.BatchRefused

    monkeypatch.setattr(importing_module, "import_batch", refuse)  # one by one
    import_twice(tmp_path, curator)
    assert history_rows() == in_bulk


def test_a_claim_repeating_another_in_the_same_batch_is_named(tmp_path):
    data = minimal_dataset()
    twin = json.loads(json.dumps(next(item for item in data if item["model"] == "claims.claim")))
    twin["fields"]["key"] = "C002"
    data.append(twin)
    with pytest.raises(DatasetError) as refused:
        dataset_import(paths=[write(tmp_path, data)])
    messages = [str(problem) for problem in refused.value.problems]
    assert any(
        f"claims.claim ({DOC}, C002): quote: These words are already claim C001" in message
        for message in messages
    ), messages
    assert not Claim.objects.exists()


def test_a_claim_repeating_a_stored_claim_is_named(tmp_path):
    dataset_import(paths=[write(tmp_path, minimal_dataset())])
    data = minimal_dataset()
    claim = next(item for item in data if item["model"] == "claims.claim")
    claim["fields"]["key"] = "C002"
    with pytest.raises(DatasetError) as refused:
        dataset_import(paths=[write(tmp_path, data, "again.json")])
    messages = [str(problem) for problem in refused.value.problems]
    assert any(
        f"claims.claim ({DOC}, C002): quote: These words are already claim C001" in message
        for message in messages
    ), messages
    assert list(Claim.objects.values_list("key", flat=True)) == ["C001"]


@pytest.mark.parametrize("checked_in_bulk", [True, False])
def test_a_row_the_database_refuses_is_named_and_nothing_is_kept(
    tmp_path, monkeypatch, checked_in_bulk
):
    """A topic whose name another topic has: found by the batch's uniqueness check, or (with
    that check off) refused by the database's constraint; either way the batch is written
    again one by one, and the problem names the object and the field."""
    Topic.objects.create(name="Trade", slug="commerce")
    if not checked_in_bulk:
        monkeypatch.setattr(batches, "check_unique", lambda model, instances: None)
    with pytest.raises(DatasetError) as refused:
        dataset_import(paths=[write(tmp_path, minimal_dataset())])
    messages = [str(problem) for problem in refused.value.problems]
    assert any("claims.topic (trade): name: Topic with this Name already exists" in m for m in messages), messages  # fmt: skip
    assert list(Topic.objects.values_list("slug", flat=True)) == ["commerce"]
    assert not Document.objects.exists()


def test_progress_is_told_how_far_the_files_are_read(tmp_path):
    path = write(tmp_path, minimal_dataset())
    calls = []
    dataset_import(paths=[path], progress=lambda done, objects: calls.append((done, objects)))
    size = Path(path).stat().st_size
    assert calls[-1] == (size, len(minimal_dataset()))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream", [Terminal, io.StringIO], ids=["terminal", "pipe"])
def test_the_command_draws_a_progress_bar_on_a_terminal_only(tmp_path, stream):
    err = stream()
    call_command("import_dataset", write(tmp_path, minimal_dataset()), stderr=err, stdout=io.StringIO())  # fmt: skip
    if stream is Terminal:
        assert "100%" in err.getvalue() and "7 objects" in err.getvalue()
    else:
        assert err.getvalue() == ""


def test_a_reference_to_a_local_row_is_refused_with_its_field(tmp_path):
    """A claim naming an account (a local field, whose model no dataset carries)."""
    data = minimal_dataset()
    next(item for item in data if item["model"] == "claims.claim")["fields"]["assignee"] = ["ada"]
    with pytest.raises(DatasetError) as refused:
        dataset_import(paths=[write(tmp_path, data)])
    messages = [str(problem) for problem in refused.value.problems]
    assert any(
        f"({DOC}, C001): assignee: belongs to one database" in message for message in messages
    ), messages


def claim_at(quote: str, key: str, **fields) -> dict:
    start = BODY.index(quote)
    return {"model": "claims.claim", "fields": {
        "document": [DOC], "section": [DOC, "I"], "key": key, "quote": quote, "start": start,
        "end": start + len(quote), "claim_type": "statistic", "status": "draft", **fields,
    }}  # fmt: skip


def test_a_same_as_chain_within_one_batch_is_refused(tmp_path):
    """The claims are in the database; a new version of the file records C002 as the same as
    C003 and C001 as the same as C002. C001 must link to C003 instead (links stay one step):
    it is checked against C002 as this batch leaves it, not as it was stored."""
    data = [item for item in minimal_dataset() if item["model"] not in ("claims.claim", "claims.evidence")]  # fmt: skip
    claims = [
        claim_at("Students number 400,000.", "C003"),
        claim_at("Trade grew two hundred times since 1979.", "C002"),
        claim_at("Students number", "C001"),
    ]
    dataset_import(paths=[write(tmp_path, data + claims)])
    claims[1]["fields"]["same_as"] = [DOC, "C003"]
    claims[2]["fields"]["same_as"] = [DOC, "C002"]
    with pytest.raises(DatasetError) as refused:
        dataset_import(paths=[write(tmp_path, data + claims, "linked.json")])
    messages = [str(problem) for problem in refused.value.problems]
    assert any(
        f"({DOC}, C001): same_as: {DOC} C002 is itself recorded as the same" in message
        for message in messages
    ), messages
    assert not Claim.objects.filter(same_as__isnull=False).exists()


def test_only_the_tables_an_import_grew_by_a_tenth_are_analyzed(tmp_path):
    """One claim into a table of 31 leaves its statistics; the first topic gets them."""
    generated_document("stored", 30)
    with CaptureQueriesContext(connection) as queries:
        dataset_import(paths=[write(tmp_path, minimal_dataset())])
    analyzed = {q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")}
    assert 'ANALYZE "claims_topic"' in analyzed, analyzed
    assert 'ANALYZE "claims_claim"' not in analyzed, analyzed


def test_claims_for_a_stored_document_take_a_few_queries_per_batch(tmp_path, monkeypatch):
    """The document and its section are only referred to (not in the file): each batch reads
    them once, the document's text included, not once per claim."""
    path = export_file(tmp_path, "doc", 200)
    objects = json.loads(Path(path).read_text(encoding="utf-8"))
    kept = [o for o in objects if o["model"] in ("claims.claim", "claims.evidence")]
    Evidence.objects.all().delete()
    Claim.objects.all().delete()
    monkeypatch.setattr(importing_module, "BATCH_ENTRIES", 50)  # 400 objects: 8 batches
    _, queries = queries_to_import(write(tmp_path, kept, "claims.json"))
    assert Claim.objects.count() == 200 and Evidence.objects.count() == 200
    assert queries <= 8 * 12 + 10, queries
