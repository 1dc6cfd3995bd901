"""A database not yet migrated gets a sentence (run `manage.py migrate` first), not a traceback."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import SEED


@pytest.mark.django_db(transaction=True)
def test_import_into_an_unmigrated_database_says_to_migrate(tmp_path):
    call_command("migrate", "claims", "0005", verbosity=0)
    try:
        with pytest.raises(CommandError, match=r"run `manage.py migrate` first"):
            call_command("import_dataset", str(SEED), "--user", "nobody")
        with pytest.raises(CommandError, match=r"claims.0006.* run `manage.py migrate` first"):
            call_command("export_dataset", "-o", str(tmp_path / "out.json"))
    finally:
        call_command("migrate", verbosity=0)
    assert not (tmp_path / "out.json").exists()
