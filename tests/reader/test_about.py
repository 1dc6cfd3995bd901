"""The methodology page is generated from the model's choices, so it names every one of them."""

import pytest
from django.urls import reverse

from claims.choices import (
    CLAIM_TYPE_MEANINGS,
    STANCE_MEANINGS,
    STATUS_MEANINGS,
    VERDICT_MEANINGS,
    ClaimStatus,
    ClaimType,
    Stance,
    Verdict,
)
from claims.research.claimreview import BEST_RATING, RATING_VALUES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "choices, meanings",
    [
        (ClaimType, CLAIM_TYPE_MEANINGS),
        (Verdict, VERDICT_MEANINGS),
        (Stance, STANCE_MEANINGS),
        (ClaimStatus, STATUS_MEANINGS),
    ],
)
def test_every_choice_has_a_meaning(choices, meanings):
    assert set(meanings) == set(choices.values)


def test_the_page_explains_every_choice_and_the_rating_scale(client):
    html = client.get(reverse("reader:about")).content.decode()
    for choices in (ClaimType, Verdict, Stance, ClaimStatus):
        for label in choices.labels:
            assert label in html, label
    for meaning in [*CLAIM_TYPE_MEANINGS.values(), *VERDICT_MEANINGS.values()]:
        assert meaning.replace("'", "&#x27;") in html, meaning
    for verdict, rating in RATING_VALUES.items():
        row = html.split(f'id="verdict-{verdict}"')[1].split("</tr>")[0]
        assert f"{rating} of {BEST_RATING}" in row
    unrated = html.split(f'id="verdict-{Verdict.UNVERIFIABLE}"')[1].split("</tr>")[0]
    assert "no number" in unrated
