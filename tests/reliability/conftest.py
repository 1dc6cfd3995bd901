"""Fixtures for the reliability suite: the seed dataset loaded once per module, a superuser."""

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from claims.datasets import dataset_import

SEED = Path(settings.BASE_DIR) / "fixtures" / "seed.json"


@pytest.fixture(scope="module")
def seed_dataset(django_db_setup, django_db_blocker):
    """The seed dataset, imported once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield dataset_import(paths=[SEED])
        transaction.set_rollback(True)


def make_superuser():
    return get_user_model().objects.create_superuser("fuzz-admin", password="pw-for-tests-only")


def pytest_terminal_summary(terminalreporter):
    """Say how much the fuzzing covered: operations and requests, per kind of user."""
    fuzz_module = sys.modules.get("tests.reliability.test_fuzz_api")
    requests_sent = getattr(fuzz_module, "REQUESTS_SENT", None)
    if not requests_sent:
        return
    for user in ("anonymous", "superuser"):
        counts = [n for (who, _), n in requests_sent.items() if who == user]
        terminalreporter.write_line(
            f"schemathesis ({user}): {len(counts)} operations fuzzed, {sum(counts)} requests"
        )
