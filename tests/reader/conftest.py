"""The browser fixtures of test_reader_browser.py, shared with the other browser tests here."""

from tests.reader.test_reader_browser import (  # noqa: F401 (pytest finds fixtures by name)
    chromium,
    chromium_can_run,
    committed_seed,
)
