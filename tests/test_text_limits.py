"""Every free-text field has a maximum length, enforced by the model (admin, import) and
the API; text that must stay verbatim reaches the database untrimmed (issue 11)."""

import hashlib

import pytest
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models

from claims.models import Claim, Document

pytestmark = pytest.mark.django_db

CONTENT_APPS = ("core", "sources", "claims", "reader", "accounts")


def text_fields():
    for model in apps.get_models():
        if model._meta.app_label not in CONTENT_APPS or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField | models.CharField):
                yield f"{model._meta.label}.{field.name}", field


def test_every_text_field_has_an_enforced_maximum():
    unbounded = [
        name
        for name, field in text_fields()
        if field.max_length is None
        or (
            isinstance(field, models.TextField)
            and not any(
                isinstance(v, MaxLengthValidator) and v.limit_value == field.max_length
                for v in field.validators
            )
        )
    ]
    assert unbounded == [], "use core.models.bounded_text (or a CharField) for these"


def test_the_api_refuses_an_over_long_paraphrase(curator_client, document):
    limit = Claim._meta.get_field("paraphrase").max_length
    response = curator_client.post(
        "/api/claims/",
        {
            "document": document.slug,
            "key": "LONG",
            "quote": document.body[:20],
            "paraphrase": "p" * (limit + 1),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "no more than 2000 characters" in response.json()["paraphrase"][0]
    assert not Claim.objects.filter(key="LONG").exists()


def test_the_api_refuses_over_long_document_notes(curator_client, document):
    url = f"/api/documents/{document.slug}/"
    etag = curator_client.get(url)["ETag"]
    response = curator_client.patch(url, {"notes": "n" * 5_001}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400 and "notes" in response.json()


def test_the_transition_refuses_an_over_long_review_note(reviewer_client, published_claim):
    url = f"/api/claims/{published_claim.pk}/transition/"
    etag = reviewer_client.get(f"/api/claims/{published_claim.pk}/")["ETag"]
    response = reviewer_client.post(
        url, {"to": "retracted", "review_note": "r" * 5_001}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 400 and "review_note" in response.json()


def test_the_model_refuses_it_too(document):
    claim = Claim(document=document, key="M", quote=document.body[:20], paraphrase="p" * 2_001)
    with pytest.raises(Exception, match="at most 2000 characters"):
        claim.full_clean()


def test_a_document_body_is_stored_exactly_as_sent(curator_client):
    body = "\n\n  Trade grew two hundred times since 1979.  \n\t\n"
    response = curator_client.post(
        "/api/documents/",
        {"slug": "verbatim", "title": "Verbatim", "body": body},
        format="json",
    )
    assert response.status_code == 201, response.json()
    document = Document.objects.get(slug="verbatim")
    assert document.body == body
    assert document.body_sha256 == hashlib.sha256(body.encode("utf-8")).hexdigest()


def test_the_admin_keeps_a_body_verbatim_too(admin_client):
    body = "\n  Trade grew two hundred times since 1979.\n"
    response = admin_client.post(
        "/admin/claims/document/add/",
        {
            "title": "Verbatim in the admin",
            "slug": "verbatim-admin",
            "body": body,
            "language": "en",
            "sections-TOTAL_FORMS": "0",
            "sections-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Document.objects.get(slug="verbatim-admin").body == body


def test_a_ten_thousand_claim_document_fits_and_a_longer_text_is_refused(db):
    """A 10,000-claim statement runs to about 1.4 million characters (the benchmark's
    documents, which an export must carry into another database); twice that is refused."""
    from django.core.exceptions import ValidationError

    from claims.models import DOCUMENT_TEXT_LIMIT

    sentence = "Trade between the two countries grew again in the year under review. "
    long_text = sentence * (1_400_000 // len(sentence))
    Document(slug="long", title="Long", body=long_text).full_clean()
    with pytest.raises(ValidationError) as refused:
        Document(slug="longer", title="Longer", body="x" * (DOCUMENT_TEXT_LIMIT + 1)).full_clean()
    assert "body" in refused.value.message_dict
