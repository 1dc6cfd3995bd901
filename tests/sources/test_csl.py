"""CSL-JSON for sources: valid against the CSL-JSON schema, faithful to the record, renderable
by a CSL processor, and limited to what the reader may see."""

import datetime
import json
import warnings
from pathlib import Path

import jsonschema
import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from sources.csl import MEDIA_TYPE, archive_name
from tests.factories import EvidenceFactory, PublishedClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

# The CSL-JSON schema (csl-data.json, CSL 1.0.2) as published by the Citation Style
# Language project; see tests/sources/data/README.md.
CSL_SCHEMA = json.loads((Path(__file__).parent / "data" / "csl-data.json").read_text())


def validate(items):
    jsonschema.Draft7Validator.check_schema(CSL_SCHEMA)
    jsonschema.validate(items, CSL_SCHEMA, cls=jsonschema.Draft7Validator)


@pytest.fixture
def sources(document, draft_claim):
    """Three sources cited by a published claim, one cited only by a draft."""
    census = SourceFactory(
        key="census-trade",
        kind="official_statistics",
        title="Trade in Goods with China",
        authors=[{"literal": "U.S. Census Bureau"}],
        container_title="Foreign Trade Statistics",
        publisher="U.S. Census Bureau",
        published_on=datetime.date(2020, 8, 1),
        date_precision="month",
        url="https://www.census.gov/foreign-trade/balance/c5700.html",
        accessed_on=datetime.date(2020, 9, 1),
        archived_url="https://web.archive.org/web/20200901000000/https://www.census.gov/x",
        archived_on=datetime.date(2020, 9, 1),
    )
    snow = SourceFactory(
        key="snow-red-star",
        kind="book",
        title="Red Star over China",
        authors=[{"family": "Snow", "given": "Edgar"}],
        publisher="Victor Gollancz",
        published_on=datetime.date(1937, 1, 1),
        date_precision="year",
        doi="10.1000/red-star",
    )
    paper = SourceFactory(
        key="paper",
        kind="academic",
        title="Students abroad",
        authors=[{"family": "Li", "given": "Wei"}, {"family": "Brown", "given": "Ann"}],
        container_title="Journal of Studies",
        published_on=datetime.date(2019, 5, 17),
        date_precision="day",
    )
    hidden = SourceFactory(key="hidden-draft-source", title="Only a draft cites me")
    published_claim = PublishedClaimFactory(document=document, evidence__source=census)
    for source in (snow, paper):
        EvidenceFactory(claim=published_claim, source=source)
    EvidenceFactory(claim=draft_claim, source=hidden)
    return {"census": census, "snow": snow, "paper": paper, "hidden": hidden}


def csl(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(MEDIA_TYPE)
    return response.json()


def test_one_source_validates_and_keeps_every_field(anonymous_client, sources):
    items = csl(anonymous_client, "/api/sources/census-trade/csl/")
    validate(items)
    assert items == [
        {
            "id": "census-trade",
            "type": "dataset",
            "title": "Trade in Goods with China",
            "author": [{"literal": "U.S. Census Bureau"}],
            "container-title": "Foreign Trade Statistics",
            "publisher": "U.S. Census Bureau",
            "issued": {"date-parts": [[2020, 8]]},
            "URL": "https://www.census.gov/foreign-trade/balance/c5700.html",
            "accessed": {"date-parts": [[2020, 9, 1]]},
            "archive": "Internet Archive",
            "archive_location": "https://web.archive.org/web/20200901000000/https://www.census.gov/x",
            "custom": {"archived_on": "2020-09-01"},
            "language": "en",
        }
    ]


def test_dates_keep_their_real_precision_and_doi_travels(anonymous_client, sources):
    [snow] = csl(anonymous_client, "/api/sources/snow-red-star/csl/")
    assert snow["issued"] == {"date-parts": [[1937]]}
    assert snow["DOI"] == "10.1000/red-star" and snow["type"] == "book"
    assert snow["author"] == [{"family": "Snow", "given": "Edgar"}]
    [paper] = csl(anonymous_client, "/api/sources/paper/csl/")
    assert paper["issued"] == {"date-parts": [[2019, 5, 17]]}
    assert paper["type"] == "article-journal" and "DOI" not in paper


def test_list_validates_and_follows_the_filters(anonymous_client, sources):
    items = csl(anonymous_client, "/api/sources/csl/")
    validate(items)
    assert [item["id"] for item in items] == ["census-trade", "paper", "snow-red-star"]
    assert [item["id"] for item in csl(anonymous_client, "/api/sources/csl/", kind="book")] == [
        "snow-red-star"
    ]
    assert [item["id"] for item in csl(anonymous_client, "/api/sources/csl/", q="star")] == [
        "snow-red-star"
    ]
    response = anonymous_client.get("/api/sources/csl/", {"kind": "nonsense"})
    assert response.status_code == 400 and "kind" in response.json()


def test_anonymous_users_get_no_source_only_unpublished_claims_cite(
    anonymous_client, curator_client, sources
):
    assert "hidden-draft-source" not in [
        item["id"] for item in csl(anonymous_client, "/api/sources/csl/")
    ]
    assert anonymous_client.get("/api/sources/hidden-draft-source/csl/").status_code == 404
    assert "hidden-draft-source" in [
        item["id"] for item in csl(curator_client, "/api/sources/csl/")
    ]


def test_renders_a_bibliography_with_a_csl_processor(anonymous_client, sources):
    items = csl(anonymous_client, "/api/sources/csl/")
    with warnings.catch_warnings():
        # citeproc-py does not know CSL 1.0.2's `custom` and says so; it ignores it.
        warnings.filterwarnings("ignore", message=".*unsupported: custom")
        bibliography_source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, bibliography_source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    entries = [str(entry) for entry in bibliography.bibliography()]
    assert len(entries) == 3
    text = "\n".join(entries)
    assert "Snow, E. (1937) Red Star over China. Victor Gollancz." in text
    assert "Li, W. and Brown, A. (2019)" in text
    assert "U.S. Census Bureau (2020)" in text and "Accessed: September 1, 2020" in text


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://web.archive.org/web/2020/https://x.org", "Internet Archive"),
        ("https://archive.ph/AbCd", "archive.today"),
        ("https://perma.cc/ABCD-1234", "perma.cc"),
    ],
)
def test_archive_is_named_from_the_snapshot_address(url, name):
    assert archive_name(url) == name


def test_sources_only_drafts_cite_stay_hidden_even_when_they_match(anonymous_client, sources):
    assert csl(anonymous_client, "/api/sources/csl/", q="draft") == []
