"""The reporting-clause pattern of similar claims runs in linear time (issue 11: "The
statement" and 12,000 spaces made anonymous /similar/ take about 10 s).

No test here measures time. The pattern is checked for the shape that makes a
backtracking engine slow (two unbounded runs of the same characters meeting with only
optional items between them, so one run of input splits between them in n ways), and
it is run on 100,000-character hostile inputs in a child process: linear, that takes
milliseconds; quadratic, billions of steps, and the generous guard ends the child
instead of hanging the suite.
"""

import os
import re
import subprocess
import sys
from re import _compiler, _parser
from re._constants import (
    ANY,
    AT,
    BRANCH,
    CATEGORY,
    IN,
    LITERAL,
    MAX_REPEAT,
    MAXREPEAT,
    MIN_REPEAT,
    NOT_LITERAL,
    SUBPATTERN,
)

from django.conf import settings

from claims.research.similarity import REPORTING_CLAUSE, without_reporting_clause

SINGLE_CHARACTER = {LITERAL, NOT_LITERAL, IN, ANY, CATEGORY}
PROBES = [chr(code) for code in range(9, 127)] + ["\u00a0", "\u2003", "é", "中"]


def matched_probes(state, item) -> frozenset[str]:
    compiled = _compiler.compile(_parser.SubPattern(state, [item]), re.IGNORECASE)
    return frozenset(char for char in PROBES if compiled.fullmatch(char))


def meeting_runs(pattern: str) -> list[str]:
    """Where an unbounded run of characters may directly follow another run that shares
    characters with it (only optional items between): the quadratic shape."""
    parsed = _parser.parse(pattern, re.IGNORECASE)
    problems: list[str] = []

    def walk(items, trailing: frozenset[str]) -> frozenset[str]:
        for op, argument in items:
            if op in (MAX_REPEAT, MIN_REPEAT):
                low, high, inner = argument
                inner_items = list(inner)
                if len(inner_items) == 1 and inner_items[0][0] in SINGLE_CHARACTER:
                    chars = matched_probes(parsed.state, inner_items[0])
                    if high == MAXREPEAT:
                        if chars & trailing:
                            problems.append(f"{sorted(chars & trailing)!r} at {inner_items!r}")
                        trailing = (trailing if low == 0 else frozenset()) | chars
                    elif low > 0:
                        trailing = frozenset()
                else:
                    out = walk(inner_items, trailing)
                    if high > 1:
                        out = walk(inner_items, out | trailing)  # the group follows itself
                    trailing = out | (trailing if low == 0 else frozenset())
            elif op == SUBPATTERN:
                trailing = walk(list(argument[-1]), trailing)
            elif op == BRANCH:
                outs = [walk(list(alternative), trailing) for alternative in argument[1]]
                trailing = frozenset().union(*outs)
            elif op == AT:
                continue  # an anchor matches no character
            else:
                trailing = frozenset()  # one character that must be there
        return trailing

    walk(list(parsed), frozenset())
    return problems


def test_the_checker_sees_the_shape_that_was_slow():
    assert meeting_runs(r"^the\s+statement\s*,?\s+says")  # the pattern before the fix
    assert meeting_runs(r"a(\s+x?)*\s")  # through a group
    assert not meeting_runs(r"^the\s+statement(\s*,)?\s+says")


def test_the_reporting_clause_has_no_meeting_runs():
    assert meeting_runs(REPORTING_CLAUSE) == []


# Written as expressions, built in the child (a command line cannot carry 100 kB).
HOSTILE = [
    '"The statement" + " " * 100_000',
    '"The statement ," + " " * 100_000 + "x"',
    '"The statement " + "a " * 50_000',
    '"The statement " + "a" * 100_000',
    '"The statement says" + " " * 100_000 + "x"',
    '" " * 100_000 + "The statement"',
    '"the " * 25_000',
]


def test_hostile_inputs_run_to_completion():
    texts = ", ".join(HOSTILE)
    code = (
        "import django\n"
        "django.setup()\n"
        "from claims.research.similarity import without_reporting_clause\n"
        f"for text in [{texts}]:\n"
        "    assert len(without_reporting_clause(text)) <= len(text)\n"
        "print('done')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,  # a guard against hanging, not a measure: linear takes milliseconds
    )
    assert result.returncode == 0 and result.stdout.strip() == "done", result.stderr


def test_the_clause_is_still_removed():
    assert without_reporting_clause("The statement says that trade grew.") == "trade grew."
    assert without_reporting_clause("The speech , in effect claims trade grew.") == "trade grew."
    assert without_reporting_clause("The text,  notes that it grew.") == "it grew."
    assert without_reporting_clause("Trade grew, the statement says.") == (
        "Trade grew, the statement says."
    )
