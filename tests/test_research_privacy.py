"""No research endpoint gives an anonymous reader anything of an unpublished claim."""

import pytest

from claims.models import Claim
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

SECRET = "Zebrafish"
PUBLIC = "Trade grew two hundred times since 1979."
DRAFT = f"Trade grew two hundred times since 1979, {SECRET} said."


@pytest.fixture
def world():
    document = DocumentFactory(body=f"{PUBLIC} {DRAFT}")
    public = PublishedClaimFactory(
        document=document,
        key="P1",
        quote=PUBLIC,
        paraphrase="",
        evidence__source=SourceFactory(key="public-source"),
    )
    draft = ClaimFactory(
        document=document,
        key="D1",
        quote=DRAFT,
        paraphrase=f"{SECRET} paraphrase",
        status="in_review",
        attributed_to=SECRET,
        verdict="supported",
        verdict_summary=f"{SECRET} summary",
    )
    EvidenceFactory(
        claim=draft,
        source=SourceFactory(key="secret-source", title=f"{SECRET} report"),
        stance="contradicts",
        excerpt=f"{SECRET} excerpt",
    )
    # A public source that only the draft's evidence quotes from.
    EvidenceFactory(
        claim=draft,
        source=Claim.objects.get(pk=public.pk).evidence.get().source,
        stance="qualifies",
        excerpt=f"{SECRET} qualification",
    )
    Claim.objects.filter(pk=public.pk).update(same_as=draft)
    return document, public, draft


def bodies(client, urls):
    for url in urls:
        response = client.get(url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        yield url, response.status_code, content.decode()


def test_no_endpoint_shows_an_unpublished_claim_to_anonymous_readers(anonymous_client, world):
    document, public, draft = world
    urls = [
        f"/api/claims/?q={SECRET}",
        "/api/claims/?q=trade",
        "/api/claims/facets/",
        f"/api/claims/facets/?q={SECRET}",
        "/api/claims/export.csv",
        f"/api/claims/export.csv?q={SECRET}",
        f"/api/claims/{public.pk}/",
        f"/api/claims/{public.pk}/similar/?threshold=0.01",
        f"/api/claims/{public.pk}/same-as/",
        f"/api/claims/{public.pk}/claimreview/",
        f"/api/documents/{document.slug}/claimreview/",
        "/api/sources/csl/",
        f"/api/sources/?q={SECRET}",
        f"/api/sources/csl/?q={SECRET}",
        "/api/sources/public-source/csl/",
    ]
    for url, status, text in bodies(anonymous_client, urls):
        assert status == 200, url
        assert SECRET.lower() not in text.lower(), url
        assert "in_review" not in text, url
        assert f'"same_as":{draft.pk}' not in text.replace(" ", ""), url
    for url in [
        f"/api/claims/{draft.pk}/similar/",
        f"/api/claims/{draft.pk}/same-as/",
        f"/api/claims/{draft.pk}/claimreview/",
        "/api/sources/secret-source/csl/",
    ]:
        assert anonymous_client.get(url).status_code == 404, url


def test_curators_do_see_it(curator_client, world):
    document, public, draft = world
    assert [
        row["key"] for row in curator_client.get(f"/api/claims/?q={SECRET}").json()["results"]
    ] == ["D1"]
    text = b"".join(curator_client.get("/api/claims/export.csv").streaming_content).decode()
    assert SECRET in text
