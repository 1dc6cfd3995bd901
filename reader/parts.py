"""A long document's text in parts of bounded size, so its page does not grow with the text.

A part ends at a section's start, or at a line's start inside a long section, never inside
a claim's span: every claim, and every claim drawn inside another, lies in exactly one
part. The cut depends only on the text, the section starts and the claims' offsets, so it
is computed per request from what the page reads anyway (no rendering, no extra query).
"""

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

# About the bytes of HTML a part may hold: a 10,000-claim document of 1.4 million
# characters comes in about 26 parts, a 200-claim statement in one.
PART_BUDGET = 150_000
# What a claim's span adds to its text in the page (its tag and attributes), on average.
SPAN_COST = 250
_LINE_START = re.compile(r"\n")


@dataclass(frozen=True)
class Part:
    number: int  # 1-based, in text order
    start: int
    end: int

    def holds(self, offset: int) -> bool:
        return self.start <= offset < self.end


def cut_parts(
    body: str,
    section_starts: Iterable[int],
    spans: Iterable[tuple[int, int]],
    budget: int = PART_BUDGET,
) -> list[Part]:
    """The parts of the text, in order; joined, they are the whole body.

    Greedy: a part grows to the last possible cut before it would exceed the budget; a
    section's start ends the part early once it holds half the budget, so parts tend to
    begin with a heading. A single line longer than the budget stays whole.
    """
    spans = sorted((start, end) for start, end in spans if end > start)
    starts = [start for start, _end in spans]
    length = len(body)

    def cost(start: int, end: int) -> int:
        return end - start + SPAN_COST * (bisect_left(starts, end) - bisect_left(starts, start))

    if cost(0, length) <= budget:
        return [Part(1, 0, length)]
    sections = {start for start in section_starts if 0 < start < length}
    covered = _merged(spans)
    candidates = sorted({match.end() for match in _LINE_START.finditer(body)} | sections)
    cuts = [0]
    last_possible = None
    for cut in candidates:
        if not 0 < cut < length or _inside(covered, cut):
            continue
        if last_possible is not None and cost(cuts[-1], cut) > budget:
            cuts.append(last_possible)
        if cut in sections and cost(cuts[-1], cut) >= budget // 2:
            cuts.append(cut)
            last_possible = None
        else:
            last_possible = cut
    if last_possible is not None and cost(cuts[-1], length) > budget:
        cuts.append(last_possible)
    bounds = [*cuts, length]
    return [
        Part(number, start, end)
        for number, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False), 1)
    ]


def part_holding(parts: list[Part], offset: int) -> Part:
    """The part whose text holds `offset` (the last part for the end of the text)."""
    index = bisect_right([part.start for part in parts], offset) - 1
    return parts[max(0, min(index, len(parts) - 1))]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans merged where they overlap: the stretches no cut may fall inside."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _inside(covered: list[tuple[int, int]], offset: int) -> bool:
    index = bisect_right(covered, (offset, float("inf"))) - 1
    return index >= 0 and covered[index][0] < offset < covered[index][1]
