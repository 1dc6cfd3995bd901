"""A corpus of malformed datasets: each is refused with its place, and nothing in the database moves.

Every file under tests/data/bad_datasets/ is imported over the seed dataset; the
import must fail with a problem naming the file, the object (index, model, natural
key) and the field, as expected.json says, and every table of the database must
hold exactly the rows it held before (row counts and a checksum of all rows).
"""

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.datasets import DatasetError, dataset_import
from claims.models import Claim, Document
from tests.reliability.dbstate import changed_tables, database_state

CORPUS = Path(__file__).resolve().parent.parent / "data" / "bad_datasets"
EXPECTED: dict[str, str] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.django_db


def test_the_corpus_is_complete():
    """Every malformed file has an expected message, and the corpus covers at least 12 cases."""
    files = {path.name for path in CORPUS.glob("*.json")} - {"expected.json"}
    assert files == set(EXPECTED)
    assert len(files) >= 12


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_dataset_is_refused_and_nothing_changes(name, seed_dataset):
    path = CORPUS / name
    before = database_state()
    with pytest.raises(DatasetError) as refused:
        dataset_import(paths=[path])
    messages = [str(problem) for problem in refused.value.problems]
    assert any(EXPECTED[name] in message for message in messages), messages
    assert all(message.startswith(str(path)) for message in messages), messages
    assert changed_tables(before, database_state()) == []


def test_the_seed_is_really_there(seed_dataset):
    """The corpus runs over a full database, not an empty one."""
    assert seed_dataset.created["claims.claim"] > 200
    assert Claim.objects.count() == seed_dataset.created["claims.claim"]
    assert database_state()["claims_claim"][0] == Claim.objects.count()


def test_the_checksum_notices_a_change(seed_dataset):
    """Guard for the guard: one changed character anywhere changes the table's checksum."""
    before = database_state()
    Document.objects.update(notes="changed")
    assert changed_tables(before, database_state()) == ["claims_document"]


def test_a_refused_object_is_named_once_and_its_dependents_say_why(seed_dataset):
    """A bad document does not drown its problem in 'neither in the database' for every claim."""
    with pytest.raises(DatasetError) as refused:
        dataset_import(paths=[CORPUS / "fingerprint_mismatch.json"])
    messages = [str(problem) for problem in refused.value.problems]
    assert not any("neither in the database" in message for message in messages), messages
    assert any("could not import (see its own problem)" in message for message in messages)


def test_the_command_fails_and_prints_every_problem(seed_dataset, capsys):
    path = CORPUS / "invalid_url.json"
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_dataset", str(path))
    assert EXPECTED["invalid_url.json"] in capsys.readouterr().err
