"""The curator's desk (issue 13): no lost work, forgiving anchoring, duplicates and overlaps,
the review queue and its notes."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from claims import bulk
from claims.models import Claim
from sources.authors import format_authors, parse_authors
from sources.models import Source
from tests import api
from tests.claims.test_admin import claim_form
from tests.factories import (
    ClaimFactory,
    DocumentFactory,
    EvidenceFactory,
    SourceFactory,
    TopicFactory,
    user_in_group,
)

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def change_form(claim, **overrides) -> dict:
    """The change form of `claim` as the browser posts it, with `overrides` typed in."""
    data = claim_form(claim.document, key=claim.key, quote=claim.quote)
    data.update(paraphrase=claim.paraphrase, claim_type=claim.claim_type)
    data.update(overrides)
    return data


@pytest.fixture
def in_review(document):
    return ClaimFactory(document=document, key="C010", status="in_review")


class TestNoLostWork:
    def test_save_and_publish_saves_the_typed_verdict_and_publishes(self, reviewer, in_review):
        EvidenceFactory(claim=in_review)
        url = reverse("admin:claims_claim_change", args=[in_review.pk])
        form = change_form(
            in_review, verdict="supported", verdict_summary="The census agrees.", _move="published"
        )
        response = signed_in(reviewer).post(url, form, follow=True)
        in_review.refresh_from_db()
        assert (in_review.status, in_review.verdict) == ("published", "supported")
        assert in_review.verdict_summary == "The census agrees."
        assert "C010 was saved and is now published." in response.content.decode()

    def test_a_refused_move_saves_nothing_and_keeps_what_was_typed(self, reviewer, in_review):
        url = reverse("admin:claims_claim_change", args=[in_review.pk])
        form = change_form(
            in_review,
            paraphrase="Typed and not to be lost.",
            verdict="supported",
            verdict_summary="A summary typed before pressing Publish.",
            _move="published",
        )
        response = signed_in(reviewer).post(url, form)
        html = response.content.decode()
        assert response.status_code == 200
        assert "Nothing was saved: the claim cannot be published yet." in html
        assert "Publishing a checkable claim needs at least one source." in html
        assert "A summary typed before pressing Publish." in html
        assert "Typed and not to be lost." in html
        before = in_review.paraphrase
        in_review.refresh_from_db()
        assert (in_review.status, in_review.verdict) == ("in_review", "")
        assert in_review.paraphrase == before != "Typed and not to be lost."

    def test_an_invalid_form_is_not_moved(self, reviewer, in_review):
        EvidenceFactory(claim=in_review)
        url = reverse("admin:claims_claim_change", args=[in_review.pk])
        form = change_form(in_review, claim_type="no-such-type", _move="published")
        form.update(verdict="supported", verdict_summary="x")
        assert signed_in(reviewer).post(url, form).status_code == 200
        in_review.refresh_from_db()
        assert in_review.status == "in_review"

    def test_curator_saves_and_submits_for_review(self, document):
        curator = user_in_group("desk-curator", "curators")
        claim = ClaimFactory(document=document, key="C011")
        url = reverse("admin:claims_claim_change", args=[claim.pk])
        form = change_form(claim, paraphrase="Trade grew.", _move="in_review")
        html = signed_in(curator).get(url).content.decode()
        assert 'name="_move" value="in_review">Save and submit for review<' in html
        assert signed_in(curator).post(url, form).status_code == 302
        claim.refresh_from_db()
        assert (claim.status, claim.paraphrase, claim.status_changed_by.user) == (
            "in_review",
            "Trade grew.",
            curator,
        )

    def test_list_action_refusal_reads_as_sentences(self, reviewer, in_review):
        response = signed_in(reviewer).post(
            reverse("admin:claims_claim_changelist"),
            {"action": "publish", "_selected_action": [in_review.pk]},
            follow=True,
        )
        html = response.content.decode()
        assert (
            "C010 was not moved to published: Publishing a checkable claim needs a verdict. "
            "Publishing a checkable claim needs a verdict summary." in html
        )
        assert ".;" not in html and "0 of 1 claims moved to published." in html


class TestTransitionCarriesFields:
    def url(self, claim) -> str:
        return f"/api/claims/{claim.pk}/transition/"

    def test_publish_with_verdict_and_summary_in_one_request(self, reviewer_client, in_review):
        EvidenceFactory(claim=in_review)
        etag = api.current_etag(reviewer_client, f"/api/claims/{in_review.pk}/")
        body = {"to": "published", "verdict": "supported", "verdict_summary": "Agrees."}
        response = reviewer_client.post(
            self.url(in_review), body, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "published"
        assert response.json()["verdict_summary"] == "Agrees."

    def test_fields_need_if_match(self, reviewer_client, in_review):
        body = {"to": "published", "verdict": "supported", "verdict_summary": "Agrees."}
        assert reviewer_client.post(self.url(in_review), body, format="json").status_code == 428

    def test_a_refused_move_saves_none_of_its_fields(self, reviewer_client, in_review):
        etag = api.current_etag(reviewer_client, f"/api/claims/{in_review.pk}/")
        body = {"to": "published", "verdict": "supported", "verdict_summary": "Agrees."}
        response = reviewer_client.post(
            self.url(in_review), body, format="json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 400
        assert response.json()["evidence"] == [
            "Publishing a checkable claim needs at least one source."
        ]
        in_review.refresh_from_db()
        assert (in_review.status, in_review.verdict) == ("in_review", "")

    def test_a_curator_cannot_carry_a_verdict(self, curator_client, in_review):
        etag = api.current_etag(curator_client, f"/api/claims/{in_review.pk}/")
        body = {"to": "draft", "verdict": "supported"}
        response = curator_client.post(self.url(in_review), body, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 403
        in_review.refresh_from_db()
        assert (in_review.status, in_review.verdict) == ("in_review", "")


class TestAnchoringThroughTheDesk:
    def test_admin_stores_the_documents_words_for_a_pasted_quote(self, admin_client, document):
        document.body = document.body.replace("400,000.", "400,000 – or more.")
        document.save()
        form = claim_form(document, quote="Students  number\n400,000 - or more.")
        response = admin_client.post(reverse("admin:claims_claim_add"), form)
        assert response.status_code == 302, response.content.decode()[:2000]
        claim = Claim.objects.get(key="C077")
        assert claim.quote == "Students number 400,000 – or more."
        assert document.body[claim.start : claim.end] == claim.quote

    def test_admin_shows_the_closest_passage_when_nothing_matches(self, admin_client, document):
        form = claim_form(document, quote="Students number 500,000.")
        html = admin_client.post(reverse("admin:claims_claim_add"), form).content.decode()
        offset = document.body.index("400,000.")
        assert f"at offset {offset} the document has «4» where you typed «5»" in html
        assert not Claim.objects.filter(key="C077").exists()

    def test_api_answers_400_with_the_candidates(self, curator_client, document):
        payload = {
            "document": document.slug,
            "key": "C077",
            "quote": "Students number 500,000.",
            "claim_type": "statistic",
        }
        response = curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 400
        body = response.json()
        assert "does not occur in the document text" in body["quote"][0]
        [candidate] = body["candidates"]
        assert candidate["text"] == "Students number 400,000."
        assert (candidate["document_has"], candidate["you_typed"]) == ("4", "5")
        assert candidate["difference_at"] == document.body.index("400,000.")

    def test_api_create_with_straight_quotes_stores_the_exact_span(self, curator_client, document):
        document.body = document.body.replace("We must cooperate.", "We ‘must’ cooperate.")
        document.save()
        payload = {
            "document": document.slug,
            "key": "C078",
            "quote": "We 'must' cooperate.",
            "claim_type": "normative",
            "checkable": False,
        }
        response = curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["quote"] == "We ‘must’ cooperate."


class TestDuplicatesAndOverlaps:
    @pytest.fixture
    def existing(self, document):
        return ClaimFactory(document=document, key="C094", quote="Students number 400,000.")

    def test_api_refuses_a_duplicate_span_naming_the_claim(self, curator_client, existing):
        payload = {
            "document": existing.document.slug,
            "key": "C200",
            "quote": "Students number 400,000.",
            "claim_type": "statistic",
        }
        response = curator_client.post("/api/claims/", payload, format="json")
        assert response.status_code == 400
        assert "already claim C094 (draft)" in response.json()["quote"][0]
        assert not Claim.objects.filter(key="C200").exists()

    def test_admin_refuses_a_duplicate_span(self, admin_client, existing):
        form = claim_form(existing.document, key="C200")
        html = admin_client.post(reverse("admin:claims_claim_add"), form).content.decode()
        assert "already claim C094" in html
        assert not Claim.objects.filter(key="C200").exists()

    def test_admin_warns_of_an_overlap_and_saves_once_accepted(self, admin_client, existing):
        url = reverse("admin:claims_claim_add")
        form = claim_form(existing.document, key="C200", quote="since 1979. Students")
        html = admin_client.post(url, form).content.decode()
        assert "These words (offsets " in html and ") overlap <a" in html and ">C094</a>" in html
        assert not Claim.objects.filter(key="C200").exists()
        response = admin_client.post(url, {**form, "accept_overlaps": "on"})
        assert response.status_code == 302
        assert Claim.objects.filter(key="C200").exists()

    def test_an_unmoved_overlapping_claim_saves_without_asking_again(self, admin_client, existing):
        other = ClaimFactory(document=existing.document, key="C095", quote="number 400,000.")
        url = reverse("admin:claims_claim_change", args=[other.pk])
        response = admin_client.post(url, change_form(other, paraphrase="Edited."))
        assert response.status_code == 302
        other.refresh_from_db()
        assert other.paraphrase == "Edited."

    def test_the_quote_in_its_text_shows_the_neighbouring_spans(self, admin_client, existing):
        ClaimFactory(document=existing.document, key="C095", quote="We must cooperate.")
        url = reverse("admin:claims_claim_change", args=[existing.pk])
        html = admin_client.get(url).content.decode()
        assert "<mark>Students number 400,000.</mark>" in html
        assert '<u title="C095">We must cooperate.</u>' in html
        assert "Neighbouring claims, underlined:" in html and ">C095</a>" in html


class TestReviewQueue:
    @pytest.fixture
    def desk(self, document):
        alice = user_in_group("alice", "curators")
        bob = user_in_group("bob", "curators")
        first = ClaimFactory(document=document, key="C001", assignee=alice)
        second = ClaimFactory(
            document=document, key="C002", quote="Students number 400,000.", assignee=alice,
            status="in_review",
        )  # fmt: skip
        ClaimFactory(document=document, key="C003", quote="We must cooperate.", assignee=bob)
        return alice, bob, first, second

    def test_my_queue_lists_my_claims_by_status(self, desk):
        alice, _bob, _first, _second = desk
        html = signed_in(alice).get(reverse("admin:claims_claim_my_queue")).content.decode()
        assert "<h2>Draft (1)</h2>" in html and "<h2>In review (1)</h2>" in html
        assert ">C001<" in html and ">C002<" in html and ">C003<" not in html

    def test_waiting_for_review_lists_claims_in_review(self, desk, reviewer):
        html = signed_in(reviewer).get(reverse("admin:claims_claim_waiting")).content.decode()
        assert ">C002<" in html and ">C001<" not in html

    def test_queues_need_the_desk_permission(self, desk):
        outsider = get_user_model().objects.create_user("outsider", is_staff=True)
        response = signed_in(outsider).get(reverse("admin:claims_claim_my_queue"))
        assert response.status_code == 403

    def test_changelist_links_the_queues_with_counts(self, desk):
        alice = desk[0]
        html = signed_in(alice).get(reverse("admin:claims_claim_changelist")).content.decode()
        assert "My queue (2)" in html and "Waiting for review (1)" in html

    def test_assign_and_unassign_through_the_api_with_if_match(self, curator_client, desk):
        alice, bob, first, _second = desk
        url = f"/api/claims/{first.pk}/"
        assert curator_client.patch(url, {"assignee": "bob"}, format="json").status_code == 428
        response = api.patch(curator_client, url, {"assignee": "bob", "due_on": "2026-12-01"})
        assert response.status_code == 200, response.content
        assert (response.json()["assignee"], response.json()["due_on"]) == ("bob", "2026-12-01")
        assert api.patch(curator_client, url, {"assignee": None}).json()["assignee"] is None

    def test_only_desk_users_can_be_assigned(self, curator_client, desk, reader):
        first = desk[2]
        response = api.patch(curator_client, f"/api/claims/{first.pk}/", {"assignee": "reader"})
        assert response.status_code == 400
        assert "reader cannot be assigned a claim" in response.json()["assignee"][0]

    def test_assignment_is_internal(self, anonymous_client, published_claim, curator):
        published_claim.assignee = curator
        published_claim.save()
        body = anonymous_client.get(f"/api/claims/{published_claim.pk}/").json()
        assert "assignee" not in body and "due_on" not in body

    def test_admin_assignee_choices_are_desk_users(self, desk, reader):
        alice, _bob, first, _second = desk
        html = signed_in(alice).get(reverse("admin:claims_claim_change", args=[first.pk]))
        html = html.content.decode()
        assert ">alice<" in html and ">bob<" in html and ">reader<" not in html


class TestDocumentProgress:
    @pytest.mark.parametrize("object_id", ["abc", "999999"])
    def test_progress_of_no_document_is_a_404(self, admin_client, object_id):
        url = reverse("admin:claims_document_progress", args=[object_id])
        assert admin_client.get(url).status_code == 404

    def test_progress_counts_claims_evidence_and_unsourced_claims(self, admin_client, document):
        sourced = ClaimFactory(document=document, key="C001", status="in_review")
        EvidenceFactory(claim=sourced, verified=True)
        ClaimFactory(document=document, key="C002", quote="Students number 400,000.")
        url = reverse("admin:claims_document_progress", args=[document.pk])
        html = admin_client.get(url).content.decode()
        assert "<tr><th>Draft</th><td>1</td></tr>" in html
        assert "<tr><th>In review</th><td>1</td></tr>" in html
        assert "<tr><th>Verified (a curator read the source)</th><td>1</td></tr>" in html
        assert "<tr><th>Not verified yet</th><td>0</td></tr>" in html
        assert "Checkable claims without a supporting source (1)" in html and ">C002</a>" in html
        change = admin_client.get(reverse("admin:claims_document_change", args=[document.pk]))
        assert url in change.content.decode()


class TestNotes:
    def url(self, claim) -> str:
        return f"/api/claims/{claim.pk}/notes/"

    def test_curators_write_and_read_the_thread(self, curator_client, curator, draft_claim):
        response = curator_client.post(self.url(draft_claim), {"text": "  Check table 3.  "})
        assert response.status_code == 201, response.content
        assert response.json()["author"] == "curator"
        notes = curator_client.get(self.url(draft_claim))
        assert [n["text"] for n in notes.json()] == ["Check table 3."]
        assert notes["ETag"]
        note = draft_claim.notes.get()
        assert note.history.get().history_user == curator

    def test_an_empty_note_is_refused(self, curator_client, draft_claim):
        response = curator_client.post(self.url(draft_claim), {"text": "   "})
        assert response.status_code == 400
        assert not draft_claim.notes.exists()

    def test_notes_are_never_public(self, anonymous_client, reader, published_claim, curator):
        from claims import services
        from tests.conftest import api_client_for

        services.claim_note_add(claim=published_claim, user=curator, text="Desk-only-marker")
        assert anonymous_client.get(self.url(published_claim)).status_code in (401, 403)
        assert api_client_for(reader).get(self.url(published_claim)).status_code == 403
        assert anonymous_client.post(self.url(published_claim), {"text": "x"}).status_code in (
            401,
            403,
        )
        schema = anonymous_client.get("/api/schema/?format=json").json()
        for path, operations in schema["paths"].items():
            if "get" not in operations:
                continue
            url = path.replace("{id}", str(published_claim.pk))
            url = url.replace("{slug}", published_claim.document.slug)
            response = anonymous_client.get(url)
            text = b"".join(response.streaming_content) if response.streaming else response.content
            assert b"Desk-only-marker" not in text, url

    def test_admin_shows_the_thread_and_adds_a_note_as_its_author(self, reviewer, draft_claim):
        url = reverse("admin:claims_claim_change", args=[draft_claim.pk])
        form = change_form(draft_claim)
        form.update({
            "notes-2-TOTAL_FORMS": "1",
            "notes-2-0-text": "Asked the ministry for the table.",
        })  # fmt: skip
        response = signed_in(reviewer).post(url, form)
        assert response.status_code == 302, response.content.decode()[:3000]
        note = draft_claim.notes.get()
        assert (note.author.user, note.text) == (reviewer, "Asked the ministry for the table.")
        html = signed_in(reviewer).get(url).content.decode()
        assert "Asked the ministry for the table." in html


class TestLessTyping:
    def test_add_from_a_document_prefills_its_next_free_key(self, admin_client, document):
        ClaimFactory(document=document, key="C007")
        url = reverse("admin:claims_claim_add") + f"?document={document.pk}"
        html = admin_client.get(url).content.decode()
        assert 'name="key" value="C008"' in html
        change = admin_client.get(reverse("admin:claims_document_change", args=[document.pk]))
        assert f"?document={document.pk}" in change.content.decode()

    @pytest.mark.parametrize("value", ["abc", "999999", "1 OR 1", ""])
    def test_a_hand_edited_document_in_the_add_address_is_no_error(self, admin_client, value):
        url = reverse("admin:claims_claim_add") + f"?document={value}"
        response = admin_client.get(url)
        assert response.status_code == 200
        assert 'name="key" value="C' not in response.content.decode()  # nothing pre-filled

    def test_an_empty_key_gets_the_next_free_one(self, admin_client, document):
        ClaimFactory(document=document, key="C041")
        response = admin_client.post(
            reverse("admin:claims_claim_add"), claim_form(document, key="")
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Claim.objects.filter(document=document, key="C042").exists()

    def test_sections_are_the_chosen_documents_and_say_which(self, admin_client, document):
        other = DocumentFactory(title="Another statement")
        url = reverse("admin:claims_claim_add") + f"?document={document.pk}"
        html = admin_client.get(url).content.decode()
        assert f"{document.title} › I</option>" in html
        assert "Another statement ›" not in html
        assert other.sections.exists()

    def test_source_picker_label(self):
        source = SourceFactory(
            key="census-2019", title="Trade in Goods", publisher="Census Bureau",
            published_on="2019-03-01",
        )  # fmt: skip
        source.refresh_from_db()
        assert str(source) == "Trade in Goods (2019, Census Bureau) · census-2019"


class TestSourceAuthors:
    def test_parse_people_and_organisations(self):
        assert parse_authors("Snow, Edgar; U.S. Census Bureau; {Ministry of Commerce, PRC}") == [
            {"family": "Snow", "given": "Edgar"},
            {"literal": "U.S. Census Bureau"},
            {"literal": "Ministry of Commerce, PRC"},
        ]
        names = parse_authors("Snow, Edgar; {A, B}")
        assert parse_authors(format_authors(names)) == names

    def test_malformed_author_text_names_the_author(self):
        with pytest.raises(ValidationError, match=r"Author 2 \('Snow, Edgar, Jr'\) cannot be read"):
            parse_authors("Census Bureau; Snow, Edgar, Jr")

    def test_admin_source_from_typed_authors_and_a_suggested_key(self, admin_client):
        data = {
            "key": "", "kind": "official_statistics", "title": "Trade in Goods with China",
            "authors": "Snow, Edgar; U.S. Census Bureau", "container_title": "",
            "publisher": "U.S. Census Bureau", "published_on": "2019-01-01",
            "date_precision": "year", "accessed_on": "", "url": "", "archived_url": "",
            "archived_on": "", "doi": "", "language": "en", "reliability": "high", "notes": "",
        }  # fmt: skip
        response = admin_client.post(reverse("admin:sources_source_add"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        source = Source.objects.get(title="Trade in Goods with China")
        assert source.key == "trade-goods-with-china-2019"
        assert source.authors == [
            {"family": "Snow", "given": "Edgar"},
            {"literal": "U.S. Census Bureau"},
        ]
        bad = admin_client.post(reverse("admin:sources_source_add"), {**data, "authors": "A, B, C"})
        assert "Author 1 (&#x27;A, B, C&#x27;) cannot be read" in bad.content.decode()


def test_the_source_picker_finds_a_source_by_year(admin_client, seeded_sources):
    url = reverse("admin:autocomplete") + (
        "?app_label=claims&model_name=evidence&field_name=source&term=census 2019"
    )
    texts = [row["text"] for row in admin_client.get(url).json()["results"]]
    assert texts == ["Census table (2019, Census Bureau) · census-2019"]


@pytest.fixture
def seeded_sources(db):
    for year in (2018, 2019):
        SourceFactory(
            key=f"census-{year}", title="Census table", publisher="Census Bureau",
            published_on=f"{year}-01-01",
        )  # fmt: skip


class TestHonestMessages:
    def test_the_delete_page_of_a_published_claim_says_to_retract_it(
        self, admin_client, published_claim
    ):
        url = reverse("admin:claims_claim_delete", args=[published_claim.pk])
        response = admin_client.get(url, follow=True)
        assert response.redirect_chain[-1][0].endswith(f"/{published_claim.pk}/change/")
        html = response.content.decode()
        assert "Claim C001 is published" in html and "Retract it (a reviewer) instead" in html

    def test_admin_search_reads_the_verdict_summary(self, admin_client, published_claim):
        published_claim.verdict_summary = "Zanzibar figures agree."
        published_claim.save()
        url = reverse("admin:claims_claim_changelist") + "?q=Zanzibar"
        assert ">C001<" in admin_client.get(url).content.decode()


class TestHistoryAndLinks:
    def test_claim_history_shows_evidence_changes_and_none_for_empty(
        self, admin_client, draft_claim
    ):
        evidence = EvidenceFactory(claim=draft_claim, locator="")
        evidence.locator = "Table 3"
        evidence.save()
        draft_claim.section = None
        draft_claim.save()
        url = reverse("admin:claims_claim_history", args=[draft_claim.pk])
        html = admin_client.get(url).content.decode()
        assert "Sources and counter-sources" in html
        assert f"supports · {evidence.source.key}" in html
        assert "<strong>locator:</strong> <em>(none)</em>" in html and "Table 3" in html
        assert "<em>(none)</em>" in html and ">None<" not in html

    def test_branding_and_the_curator_sign_in(self, client):
        html = client.get(reverse("admin:login")).content.decode()
        assert "Claimbase curation" in html and "Curator sign-in" in html

    def test_login_attempt_tables_are_for_superusers_only(self, admin_client, reviewer):
        reviewer.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="axes", codename__startswith="view")
        )
        reviewer.is_staff = True
        reviewer.save()
        url = reverse("admin:axes_accessattempt_changelist")
        assert signed_in(reviewer).get(url).status_code == 403
        assert admin_client.get(url).status_code == 200

    def test_view_in_reader_links(self, admin_client, published_claim):
        claim_page = admin_client.get(
            reverse("admin:claims_claim_change", args=[published_claim.pk])
        )
        reader_url = reverse(
            "reader:claim-detail", args=[published_claim.document.slug, published_claim.key]
        )
        assert f'href="{reader_url}"' in claim_page.content.decode()
        source = published_claim.evidence.first().source
        source_page = admin_client.get(reverse("admin:sources_source_change", args=[source.pk]))
        assert f"?source={source.key}" in source_page.content.decode()
        document = published_claim.document
        document_page = admin_client.get(
            reverse("admin:claims_document_change", args=[document.pk])
        )
        assert (
            reverse("reader:document-detail", args=[document.slug])
            in document_page.content.decode()
        )

    def test_the_reader_offers_curators_an_edit_link(self, client, admin_user, published_claim):
        document = published_claim.document
        url = reverse("reader:document-detail", args=[document.slug])
        edit = reverse("admin:claims_document_change", args=[document.pk])
        assert edit not in client.get(url).content.decode()
        client.force_login(admin_user)
        assert edit in client.get(url).content.decode()


GOOD_CSV = (
    "quote,claim_type,paraphrase,topics,attributed_to\n"
    '"Students number 400,000.",statistic,About students.,trade,\n'
    '"We must cooperate.",Normative statement,,,The minister\n'
)


class TestBulkEntry:
    @pytest.fixture
    def topic(self, db):
        return TopicFactory(name="Trade", slug="trade")

    def test_every_row_becomes_a_draft_claim(self, document, topic):
        created = bulk.claims_from_csv(document=document, text=GOOD_CSV)
        assert [(c.key, c.claim_type, c.status) for c in created] == [
            ("C001", "statistic", "draft"),
            ("C002", "normative", "draft"),
        ]
        assert list(created[0].topics.all()) == [topic]
        assert document.body[created[1].start : created[1].end] == "We must cooperate."

    def test_a_bad_row_writes_nothing_and_names_line_and_column(self, document, topic):
        text = GOOD_CSV + "Words not in the text.,statistic,,,\nTrade grew.,opinion,,nope,\n"
        with pytest.raises(bulk.BulkRefused) as refused:
            bulk.claims_from_csv(document=document, text=text)
        messages = [str(problem) for problem in refused.value.problems]
        assert messages[0].startswith("Line 4, column quote: The quote 'Words not in the text.'")
        assert "Line 5, column claim_type: 'opinion' is not one of" in messages[1]
        assert "Line 5, column topics: no topic 'nope'" in messages[2]
        assert not Claim.objects.filter(document=document).exists()

    def test_duplicates_within_the_file_are_refused(self, document, topic):
        text = GOOD_CSV + '"Students  number 400,000.",statistic,,,\n'
        with pytest.raises(bulk.BulkRefused, match="Line 4, column quote: These words are already"):
            bulk.claims_from_csv(document=document, text=text)
        assert not Claim.objects.exists()

    def test_unknown_and_missing_columns(self, document):
        with pytest.raises(bulk.BulkRefused) as refused:
            bulk.claims_from_csv(document=document, text="quote,verdict\nx,y\n")
        assert [str(p) for p in refused.value.problems] == [
            "Line 1, column claim_type: this required column is missing.",
            "Line 1, column verdict: unknown column; the columns are quote, claim_type, "
            "paraphrase, topics, attributed_to, key, occurrence.",
        ]

    def test_the_command(self, document, topic, tmp_path):
        good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
        good.write_text(GOOD_CSV, encoding="utf-8")
        bad.write_text("quote,claim_type\nNot there at all.,statistic\n", encoding="utf-8")
        err = io.StringIO()
        with pytest.raises(CommandError, match="Nothing was written: 1 problem"):
            call_command("import_claims_csv", document.slug, str(bad), stderr=err)
        assert "Line 2, column quote" in err.getvalue()
        out = io.StringIO()
        call_command("import_claims_csv", document.slug, str(good), stdout=out)
        assert f"Added 2 draft claim(s) to {document.slug}: C001, C002." in out.getvalue()

    def test_the_admin_page(self, admin_client, document, topic):
        url = reverse("admin:claims_claim_import")
        bad = SimpleUploadedFile("c.csv", b"quote,claim_type\nNot there.,statistic\n")
        html = admin_client.post(url, {"document": document.pk, "file": bad}).content.decode()
        assert "Nothing was written" in html and "Line 2, column quote" in html
        good = SimpleUploadedFile("c.csv", GOOD_CSV.encode())
        response = admin_client.post(url, {"document": document.pk, "file": good}, follow=True)
        assert "2 draft claims added to" in response.content.decode()
        assert Claim.objects.filter(document=document).count() == 2
        assert url in admin_client.get(reverse("admin:claims_claim_changelist")).content.decode()
