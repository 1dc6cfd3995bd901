"""Helpers for the reliability suite: a superuser, and a summary of what the fuzzing covered.

The seed dataset comes from tests/conftest.py (seed_dataset).
"""

import sys

from django.contrib.auth import get_user_model


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
