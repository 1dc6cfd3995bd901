"""Datasets: loaddata, validated import (all or nothing), export that round-trips."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.datasets import DatasetError, dataset_export, dataset_import
from claims.models import Claim, Document, Evidence, Section, Topic
from sources.models import Source
from tests.factories import BODY

pytestmark = pytest.mark.django_db

DOC = "test-statement"


def minimal_dataset() -> list[dict]:
    """A small but complete dataset: topic, source, document, sections, two claims, evidence."""
    quote = "Trade grew two hundred times since 1979."
    start = BODY.index(quote)
    return [
        {"model": "claims.topic", "fields": {"name": "Trade", "slug": "trade"}},
        {"model": "sources.source", "fields": {"key": "census", "kind": "official_statistics", "title": "Trade in Goods", "reliability": "high"}},
        {"model": "claims.document", "fields": {"title": "Test statement", "slug": DOC, "body": BODY}},
        {"model": "claims.section", "fields": {"document": [DOC], "label": "intro", "order": 0, "start": 0, "end": BODY.index("I\n")}},
        {"model": "claims.section", "fields": {"document": [DOC], "label": "I", "order": 1, "start": BODY.index("I\n"), "end": BODY.index("II\n")}},
        {"model": "claims.claim", "fields": {
            "document": [DOC], "section": [DOC, "I"], "key": "C001", "quote": quote, "start": start,
            "end": start + len(quote), "claim_type": "statistic", "status": "published",
            "verdict": "supported", "topics": [["trade"]],
        }},
        {"model": "claims.evidence", "fields": {"claim": [DOC, "C001"], "source": ["census"], "stance": "supports", "excerpt": "230 times."}},
    ]  # fmt: skip


def write(tmp_path, data, name="dataset.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def table_counts():
    return [model.objects.count() for model in (Topic, Source, Document, Section, Claim, Evidence)]


def test_import_writes_everything(tmp_path):
    report = dataset_import(paths=[write(tmp_path, minimal_dataset())])
    assert table_counts() == [1, 1, 1, 2, 1, 1]
    assert sum(report.created.values()) == 7
    assert list(Claim.objects.get().topics.values_list("slug", flat=True)) == ["trade"]


def test_reimport_changes_nothing(tmp_path):
    path = write(tmp_path, minimal_dataset())
    dataset_import(paths=[path])
    before = Claim.objects.get().updated_at
    report = dataset_import(paths=[path])
    assert sum(report.unchanged.values()) == 7 and not report.created and not report.updated
    assert Claim.objects.get().updated_at == before


def test_reimport_with_a_change_updates_in_place(tmp_path):
    dataset_import(paths=[write(tmp_path, minimal_dataset())])
    data = minimal_dataset()
    data[5]["fields"]["paraphrase"] = "Now with a paraphrase."
    report = dataset_import(paths=[write(tmp_path, data)])
    assert report.updated == {"claims.claim": 1}
    assert Claim.objects.get().paraphrase == "Now with a paraphrase."


def bad(mutate):
    data = minimal_dataset()
    mutate(data)
    return data


BAD_DATASETS = {
    "malformed JSON": ('[{"model": "claims.topic", ', "is not valid JSON"),
    "not a list": ('{"model": "claims.topic"}', "must hold a JSON list"),
    "unknown model": (
        bad(lambda d: d[0].update(model="claims.rumour")),
        "unknown model 'claims.rumour'",
    ),
    "unknown field": (
        bad(lambda d: d[0]["fields"].update(colour="red")),
        "[0] claims.topic (trade): colour: unknown field",
    ),
    "bad choice": (
        bad(lambda d: d[5]["fields"].update(claim_type="rumour")),
        "claims.claim (test-statement, C001): claim_type:",
    ),
    "quote not in document": (
        bad(lambda d: d[5]["fields"].update(quote="Invented.")),
        "(test-statement, C001): quote: The document text at",
    ),
    "missing reference": (
        bad(lambda d: d[6]["fields"].update(source=["nowhere"])),
        "source: refers to sources.source ['nowhere']",
    ),
    "duplicate key": (bad(lambda d: d.append(dict(d[5]))), "duplicates the natural key of"),
    "bad date": (
        bad(lambda d: d[1]["fields"].update(published_on="2020-13-45")),
        "sources.source (census): published_on:",
    ),
    "NUL byte": (
        bad(lambda d: d[5]["fields"].update(paraphrase="a\x00b")),
        "paraphrase: contains a NUL character",
    ),
    "counter-source without excerpt": (
        bad(lambda d: d[6]["fields"].update(stance="contradicts", excerpt="")),
        "claims.evidence (test-statement, C001, census, contradicts): excerpt:",
    ),
}


@pytest.mark.parametrize("case", BAD_DATASETS, ids=list(BAD_DATASETS))
def test_bad_dataset_is_refused_with_its_place_and_nothing_is_written(tmp_path, case):
    data, expected = BAD_DATASETS[case]
    Topic.objects.create(name="Existing", slug="existing")
    before = table_counts()
    with pytest.raises(DatasetError) as error:
        dataset_import(paths=[write(tmp_path, data)])
    messages = [str(problem) for problem in error.value.problems]
    assert any(expected in message for message in messages), messages
    assert table_counts() == before


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(
        '[{"model": "claims.topic", "fields": {"name": "Café", "slug": "cafe"}}]'.encode("latin-1")
    )
    with pytest.raises(DatasetError, match="problem"):
        dataset_import(paths=[str(path)])
    assert not Topic.objects.exists()


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    data = minimal_dataset()
    data[0]["fields"]["colour"] = "red"
    data[5]["fields"]["claim_type"] = "rumour"
    with pytest.raises(DatasetError) as error:
        dataset_import(paths=[write(tmp_path, data)])
    assert len(error.value.problems) >= 2


def test_command_prints_problems_and_fails(tmp_path, capsys):
    path = write(tmp_path, bad(lambda d: d[5]["fields"].update(quote="Invented.")))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_dataset", path)
    assert "C001" in capsys.readouterr().err


def test_export_then_import_into_an_empty_database_is_identical(tmp_path, django_db_blocker):
    dataset_import(paths=[write(tmp_path, minimal_dataset())])
    exported = dataset_export()
    for model in (Evidence, Claim, Section, Document, Source, Topic):
        model.objects.all().delete()
    dataset_import(paths=[write(tmp_path, exported, "exported.json")])
    assert dataset_export() == exported


def test_export_of_one_document_holds_only_what_it_uses(tmp_path):
    dataset_import(paths=[write(tmp_path, minimal_dataset())])
    Source.objects.create(key="unused", kind="book", title="Unused")
    Document.objects.create(title="Other", slug="other", body="Other text.")
    data = json.loads(dataset_export(document_slugs=[DOC]))
    assert {o["fields"].get("slug") for o in data if o["model"] == "claims.document"} == {DOC}
    assert [o["fields"]["key"] for o in data if o["model"] == "sources.source"] == ["census"]


def test_export_command_refuses_unknown_document():
    with pytest.raises(CommandError, match="no document with slug 'nope'"):
        call_command("export_dataset", "--document", "nope")


def test_loaddata_accepts_the_dataset(tmp_path):
    call_command("loaddata", write(tmp_path, minimal_dataset()), verbosity=0)
    assert table_counts() == [1, 1, 1, 2, 1, 1]


def test_import_document_stores_text_verbatim_and_finds_sections(tmp_path, capsys):
    path = tmp_path / "statement.txt"
    text = "\nTitle line  \nOpening.\nI\n\nFirst part “quoted”.\nII\nSecond part.\n"
    path.write_bytes(text.encode("utf-8"))
    call_command(
        "import_document", str(path), "--title", "A statement", "--published", "2020-08-07"
    )
    document = Document.objects.get(slug="a-statement")
    assert document.body == text
    assert [s.label for s in document.sections.all()] == ["intro", "I", "II"]
    assert str(document.published_on) == "2020-08-07"


def test_import_document_refuses_bad_input(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_document", str(path), "--title", "Bad")
    with pytest.raises(CommandError, match="is not a date"):
        call_command("import_document", str(path), "--title", "Bad", "--published", "August")
    assert not Document.objects.exists()


def test_a_restatement_imports_even_when_it_comes_before_the_claim_it_repeats(tmp_path):
    """same_as may point at a claim later in the file: the import orders restatements last."""
    data = minimal_dataset()
    quote = "Cooperation benefits both."
    start = BODY.index(quote)
    data[4]["fields"]["end"] = BODY.index("II\n")
    data.insert(
        5,
        {
            "model": "claims.section",
            "fields": {
                "document": [DOC],
                "label": "II",
                "order": 2,
                "start": BODY.index("II\n"),
                "end": len(BODY),
            },
        },
    )
    later = {"model": "claims.claim", "fields": {
        "document": [DOC], "section": [DOC, "II"], "key": "C002", "quote": quote, "start": start,
        "end": start + len(quote), "claim_type": "causal", "status": "draft",
    }}  # fmt: skip
    data[6]["fields"]["same_as"] = [DOC, "C002"]
    data.insert(7, later)
    dataset_import(paths=[write(tmp_path, data)])
    assert Claim.objects.get(key="C001").same_as.key == "C002"
    exported = dataset_export()
    for model in (Evidence, Claim, Section, Document, Source, Topic):
        model.objects.all().delete()
    dataset_import(paths=[write(tmp_path, exported, "exported.json")])
    assert dataset_export() == exported
