"""Finding quotes in a text: offsets, refusals, selectors."""

import pytest

from claims.anchoring import AnchoringError, find_quote, quote_selector

TEXT = "China and the US. The US side agreed. China and the US again."


def test_find_quote_returns_code_point_offsets():
    anchor = find_quote("“Quoted” text here", "text")
    assert (anchor.start, anchor.end) == (9, 13)


def test_unique_quote_is_found():
    anchor = find_quote(TEXT, "The US side agreed.")
    assert TEXT[anchor.start : anchor.end] == "The US side agreed."


def test_missing_quote_is_refused_with_its_words():
    with pytest.raises(AnchoringError, match="does not occur"):
        find_quote(TEXT, "The US side disagreed.")


def test_ambiguous_quote_is_refused_with_positions():
    with pytest.raises(AnchoringError, match="occurs 2 times"):
        find_quote(TEXT, "China and the US")


def test_occurrence_picks_the_nth_match():
    anchor = find_quote(TEXT, "China and the US", occurrence=2)
    assert anchor.start == TEXT.rindex("China and the US")


def test_occurrence_out_of_range_is_refused():
    with pytest.raises(AnchoringError, match="occurrence 3 does not exist"):
        find_quote(TEXT, "China and the US", occurrence=3)


def test_empty_quote_is_refused():
    with pytest.raises(AnchoringError, match="empty"):
        find_quote(TEXT, "")


def test_quote_selector_carries_prefix_and_suffix():
    start = TEXT.index("The US side")
    selector = quote_selector(TEXT, start, start + 6, context=5)
    assert selector == {
        "type": "TextQuoteSelector",
        "exact": "The US",
        "prefix": " US. ",
        "suffix": " side",
    }
