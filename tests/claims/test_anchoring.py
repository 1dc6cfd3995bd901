"""Finding quotes in a text: offsets, refusals, selectors."""

import pytest

from claims.anchoring import AnchoringError, find_quote, fold, quote_selector

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


TYPESET = "He said: “We’re here — now.”\nThe\u00a0end of  the story. Then ‘more’ words follow."


@pytest.mark.parametrize(
    "pasted",
    [
        '"We\'re here - now." The end of the story.',  # straight quotes, hyphen
        "“We’re here — now.”  The end\nof the story.",  # collapsed and broken lines
        "\u201cWe\u2019re here \u2013 now.\u201d The end of the story.",  # en dash for em dash
        '  "We\'re here -- now." The end of the story.  '.replace("--", "—"),  # outer spaces
    ],
)
def test_a_pasted_quote_finds_the_documents_exact_span(pasted):
    anchor = find_quote(TYPESET, pasted)
    assert TYPESET[anchor.start : anchor.end] == "“We’re here — now.”\nThe\u00a0end of  the story."


def test_folded_matches_count_as_occurrences():
    text = "the ‘word’ and the 'word' again"
    with pytest.raises(AnchoringError, match="occurs 2 times"):
        find_quote(text, "'word'")
    anchor = find_quote(text, "'word'", occurrence=1)
    assert text[anchor.start : anchor.end] == "‘word’"


def test_fold_maps_every_character_back_to_the_text():
    folded, origin = fold("a\u00a0 —…b")
    assert folded == "a -...b"
    assert origin == [0, 1, 3, 4, 4, 4, 5]


def test_a_missing_quote_names_the_closest_passage_and_the_first_difference():
    with pytest.raises(AnchoringError) as refused:
        find_quote(TYPESET, "We are here - now.")
    [passage] = refused.value.candidates
    assert passage.text.startswith("We’re here — now.")
    assert (passage.difference_at, passage.document_has, passage.you_typed) == (12, "’", " ")
    assert "at offset 12 the document has «’» where you typed a space" in str(refused.value)


def test_offsets_in_messages_are_written_with_thousands_separators():
    body = "x" * 12_100 + " The figure is 5 million. "
    with pytest.raises(AnchoringError) as refused:
        find_quote(body, "The figure is 6 million.")
    assert "at offset 12,115 the document has «5» where you typed «6»" in str(refused.value)


def test_several_candidates_best_first_and_none_for_unrelated_words():
    body = "Trade grew fast in 2019. Later: Trade grew fast in 2020. The end, in 2019."
    with pytest.raises(AnchoringError) as refused:
        find_quote(body, "Trade grew fast in 2021.")
    found = [(p.start, p.document_has, p.you_typed) for p in refused.value.candidates]
    assert found == [(0, "1", "2"), (body.index("Trade grew fast in 2020"), "0", "1")]
    with pytest.raises(AnchoringError, match="No passage of the text is close to it"):
        find_quote(body, "qqqq zzzz wwww")
