"""Evidence says what its text is: the source's words (excerpt) apart from the curator's
(summary), and where it was read (copy_kind, claims/copies.py)."""

import pytest
from django.core.exceptions import ValidationError

from claims.choices import CopyKind, Stance
from claims.copies import copy_kind
from claims.excerpts import split_excerpt
from claims.models import Evidence
from sources.choices import Reliability
from tests.factories import ClaimFactory, EvidenceFactory, SourceFactory

PUBLISHER = "https://www.state.gov/briefings/2020-07-23"


@pytest.mark.parametrize(
    ("consulted", "source_url", "expected"),
    [
        ("", PUBLISHER, ""),
        (PUBLISHER, PUBLISHER, CopyKind.PUBLISHER),
        ("https://2017-2021.state.gov/x", PUBLISHER, CopyKind.PUBLISHER),  # same domain
        ("https://history.state.gov./x", "https://history.state.gov/y", CopyKind.PUBLISHER),
        ("https://news.bbc.co.uk/a", "https://www.bbc.co.uk/b", CopyKind.PUBLISHER),
        # co.uk is a public suffix: two sites under it are not one publisher
        ("https://www.example.co.uk/a", "https://www.bbc.co.uk/b", CopyKind.THIRD_PARTY),
        ("https://web.archive.org/web/2020/" + PUBLISHER, PUBLISHER, CopyKind.ARCHIVE),
        ("https://archive.ph/abcde", PUBLISHER, CopyKind.ARCHIVE),
        # a web archive stays an archive even when the source record points there
        ("https://web.archive.org/web/1", "https://web.archive.org/web/2", CopyKind.ARCHIVE),
        ("https://www.cia.gov/readingroom/document/x", PUBLISHER, CopyKind.ARCHIVE),
        ("https://www.cia.gov/stories/x", PUBLISHER, CopyKind.THIRD_PARTY),
        ("https://nsarchive.gwu.edu/document/1", PUBLISHER, CopyKind.ARCHIVE),
        ("https://www.scribd.com/doc/1", PUBLISHER, CopyKind.THIRD_PARTY),
        ("https://www.scribd.com/doc/1", "", CopyKind.THIRD_PARTY),
        # blogspot.com is a public suffix too: one blog is not another
        ("https://a.blogspot.com/1", "https://b.blogspot.com/2", CopyKind.THIRD_PARTY),
    ],
)
def test_copy_kind(consulted, source_url, expected):
    assert copy_kind(consulted, source_url) == expected


@pytest.mark.django_db
class TestCopyKindIsStored:
    def test_derived_on_save_and_when_the_source_moves(self):
        source = SourceFactory(url="https://www.mfa.gov.cn/eng/x.html")
        evidence = EvidenceFactory(source=source, consulted_url="https://www.mfa.gov.cn/eng/y")
        assert evidence.copy_kind == CopyKind.PUBLISHER
        evidence.consulted_url = "https://mirror.example.org/y"
        evidence.save(update_fields=["consulted_url"])
        evidence.refresh_from_db()
        assert evidence.copy_kind == CopyKind.THIRD_PARTY
        source.url = "https://mirror.example.org/"
        source.save()
        evidence.refresh_from_db()
        assert evidence.copy_kind == CopyKind.PUBLISHER

    def test_high_reliability_read_on_a_third_party_copy(self):
        high = SourceFactory(reliability=Reliability.HIGH, url="https://www.census.gov/t")
        low = SourceFactory(reliability=Reliability.LOW, url="https://www.census.gov/t")
        mirror = "https://mirror.example.org/t"
        flagged = EvidenceFactory(source=high, consulted_url=mirror)
        EvidenceFactory(source=high, consulted_url="https://www.census.gov/t")
        EvidenceFactory(source=low, consulted_url=mirror)
        assert list(Evidence.objects.high_reliability_third_party()) == [flagged]

    def test_a_counter_source_may_say_what_the_source_says_in_a_summary(self):
        claim = ClaimFactory()
        evidence = EvidenceFactory.build(
            claim=claim, source=SourceFactory(), stance=Stance.QUALIFIES, excerpt=""
        )
        with pytest.raises(ValidationError, match="excerpt or a summary"):
            evidence.full_clean()
        evidence.summary = "The report gives a lower figure for 2019."
        evidence.full_clean()


@pytest.mark.parametrize(
    ("old", "excerpt", "summary"),
    [
        # wholly quoted: the source's words, without the curator's marks
        ("“History has proved that cooperation is the best choice.”", "History has proved that cooperation is the best choice.", ""),
        ("'The People's Republic of China is the sole legal Government.'", "The People's Republic of China is the sole legal Government.", ""),
        # a description quoting the source: a summary, quotation marks kept
        ("Xi's speech “called on both sides to stick to cooperation”", "", "Xi's speech “called on both sides to stick to cooperation”"),
        ("Quotes the communiqué on mutual respect.", "", "Quotes the communiqué on mutual respect."),
        ("Nixon’s memoir account of Zhou’s remark, 21 Feb 1972.", "", "Nixon’s memoir account of Zhou’s remark, 21 Feb 1972."),
        ("Expected to give annual exports; not read.", "", "Expected to give annual exports; not read."),
        # a quotation in Chinese with the curator's translation
        ("“我们没有理由成为敌人。” (There is no reason for us to be enemies.)", "我们没有理由成为敌人。", "There is no reason for us to be enemies."),
        # plain text copied from the page stays an excerpt (a curator confirms it)
        ("History fully proves that cooperation is the best choice for both sides.", "History fully proves that cooperation is the best choice for both sides.", ""),
        ("", "", ""),
    ],
)  # fmt: skip
def test_split_excerpt(old, excerpt, summary):
    assert split_excerpt(old) == (excerpt, summary)


@pytest.mark.django_db
def test_api_and_reader_show_excerpt_and_summary_as_what_they_are(anonymous_client):
    from tests.factories import PublishedClaimFactory

    claim = PublishedClaimFactory(key="C001", evidence__excerpt="Trade rose 230-fold.")
    EvidenceFactory(
        claim=claim,
        source=SourceFactory(key="yearbook", title="Yearbook", url="https://stats.example/y"),
        stance=Stance.QUALIFIES,
        excerpt="",
        summary="Gives a lower figure for 2019.",
        verified=True,
        consulted_url="https://web.archive.org/web/2020/https://stats.example/y",
    )
    answer = anonymous_client.get(f"/api/claims/{claim.pk}/").json()
    [counter] = answer["counter_sources"]
    assert (counter["excerpt"], counter["summary"]) == ("", "Gives a lower figure for 2019.")
    assert (counter["verified"], counter["copy_kind"]) == (True, "archive")
    assert answer["sources"][0]["excerpt"] == "Trade rose 230-fold."

    page = anonymous_client.get(f"/documents/{claim.document.slug}/claims/C001/").content.decode()
    assert '<blockquote class="excerpt">Trade rose 230-fold.</blockquote>' in page
    assert "Gives a lower figure for 2019." in page
    assert '<blockquote class="excerpt">Gives a lower' not in page  # never quoted
    assert "Verified by a curator, in an archive" in page
