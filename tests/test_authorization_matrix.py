"""Who may make which write, on what: every write operation of the OpenAPI schema × role ×
state of the claim it concerns, against one table of expected answers (EXPECTED below).

A new write operation without a row (and a request body in BODIES) fails
test_every_write_operation_has_a_row. Each target state is one small world built once for
the module (a document whose claim C001 is in that state, with its section, a topic on it,
two sources cited by it, and an unrelated published claim); every request runs in a
savepoint rolled back afterwards, so all of them see the same world.

"The claim's state" for a document, section, topic or source is the state of the claim
that depends on it; a create that concerns no existing claim gets the same answer in every
state.
"""

import json
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from claims.models import Claim, Evidence, Section, Topic
from tests.factories import (
    DocumentFactory,
    EvidenceFactory,
    PublishedClaimFactory,
    SourceFactory,
    TopicFactory,
)

STATES = ("draft", "in_review", "published", "retracted")
ROLES = ("anonymous", "user", "staff", "curator", "reviewer", "superuser")
WRITE_METHODS = ("post", "put", "patch", "delete")
REASON = "Matrix: the reviewer's reason for the correction."


def row(anonymous, user, staff, curator, reviewer, superuser) -> dict:
    """One operation's answers by role; a tuple gives them by state (draft, in review,
    published, retracted), a number is the same in every state."""
    return dict(zip(ROLES, (anonymous, user, staff, curator, reviewer, superuser), strict=True))


# Unauthenticated writes are 401 (the token scheme asks for credentials); signed-in users
# without the model permission 403 (staff status grants none). A curator cannot change the
# substance of a published or retracted claim (403, claims/editing.py); a reviewer can,
# giving a reason (these bodies give one). Published and retracted claims are not deleted
# (400 from the workflow), nor is anything they depend on (409, with counts); a section
# with claims and a cited source are kept in every state (409).
ON_RECORD_LOCKED = (200, 200, 403, 403)
EXPECTED = {
    "claims_create": row(401, 403, 403, 201, 201, 201),
    "claims_update": row(401, 403, 403, ON_RECORD_LOCKED, 200, 200),
    "claims_partial_update": row(401, 403, 403, ON_RECORD_LOCKED, 200, 200),
    "claims_destroy": row(401, 403, 403, (204, 204, 400, 400), (204, 204, 400, 400), (204, 204, 400, 400)),
    "claims_notes_create": row(401, 403, 403, 201, 201, 201),
    "claims_same_as_create": row(401, 403, 403, ON_RECORD_LOCKED, 200, 200),
    # The natural next move: draft -> in review, in review -> published, published ->
    # retracted; a retracted claim has no move (400). Publishing and retracting are a
    # reviewer's.
    "claims_transition_create": row(401, 403, 403, (200, 403, 403, 400), (200, 200, 200, 400), (200, 200, 200, 400)),
    "documents_create": row(401, 403, 403, 201, 201, 201),
    "documents_update": row(401, 403, 403, 200, 200, 200),
    "documents_partial_update": row(401, 403, 403, 200, 200, 200),
    "documents_destroy": row(401, 403, 403, (204, 204, 409, 409), (204, 204, 409, 409), (204, 204, 409, 409)),
    "evidence_create": row(401, 403, 403, (201, 201, 403, 403), 201, 201),
    "evidence_update": row(401, 403, 403, ON_RECORD_LOCKED, 200, 200),
    "evidence_partial_update": row(401, 403, 403, ON_RECORD_LOCKED, 200, 200),
    "evidence_destroy": row(401, 403, 403, (204, 204, 403, 403), 204, 204),
    "sections_create": row(401, 403, 403, 201, 201, 201),
    "sections_update": row(401, 403, 403, 200, 200, 200),
    "sections_partial_update": row(401, 403, 403, 200, 200, 200),
    "sections_destroy": row(401, 403, 403, 409, 409, 409),
    "sources_create": row(401, 403, 403, 201, 201, 201),
    "sources_update": row(401, 403, 403, 200, 200, 200),
    "sources_partial_update": row(401, 403, 403, 200, 200, 200),
    "sources_destroy": row(401, 403, 403, 409, 409, 409),
    "topics_create": row(401, 403, 403, 201, 201, 201),
    "topics_update": row(401, 403, 403, 200, 200, 200),
    "topics_partial_update": row(401, 403, 403, 200, 200, 200),
    "topics_destroy": row(401, 403, 403, (204, 204, 409, 409), (204, 204, 409, 409), (204, 204, 409, 409)),
}  # fmt: skip


@dataclass
class World:
    state: str
    claim: Claim
    other: Claim  # published, in another document: a same-as target
    evidence: Evidence  # one of the claim's two sources
    section: Section
    topic: Topic


def claim_body(world: World) -> dict:
    claim = world.claim
    return {
        "document": claim.document.slug, "section": claim.section.label, "key": claim.key,
        "quote": claim.quote, "start": claim.start, "end": claim.end,
        "paraphrase": "Reworded by the matrix.", "claim_type": claim.claim_type,
        "attributed_to": "", "topics": [world.topic.slug], "checkable": True,
        "verdict": claim.verdict, "verdict_summary": claim.verdict_summary,
        "correction_reason": REASON,
    }  # fmt: skip


def evidence_body(world: World) -> dict:
    return {
        "claim": world.claim.pk, "source": world.evidence.source.key, "stance": "supports",
        "excerpt": "Other words.", "correction_reason": REASON,
    }  # fmt: skip


NEXT_MOVE = {"draft": "in_review", "in_review": "published", "published": "retracted"}

# The request body of each operation, from the world of one state.
BODIES = {
    "claims_create": lambda w: {
        "document": w.claim.document.slug,
        "key": "C900",
        "quote": "We must cooperate.",
        "claim_type": "normative",
        "checkable": False,
    },  # fmt: skip
    "claims_update": claim_body,
    "claims_partial_update": lambda w: {"paraphrase": "Reworded.", "correction_reason": REASON},
    "claims_destroy": lambda w: None,
    "claims_notes_create": lambda w: {"text": "Please check the base year."},
    "claims_same_as_create": lambda w: {"same_as": w.other.pk, "correction_reason": REASON},
    "claims_transition_create": lambda w: {"to": NEXT_MOVE.get(w.state, "in_review")},
    "documents_create": lambda w: {"slug": "new-text", "title": "New text", "body": "Words."},
    "documents_update": lambda w: {
        "slug": w.claim.document.slug,
        "title": "Renamed",
        "body": w.claim.document.body,
        "author": w.claim.document.author,
    },  # fmt: skip
    "documents_partial_update": lambda w: {"title": "Renamed"},
    "documents_destroy": lambda w: None,
    "evidence_create": lambda w: {**evidence_body(w), "source": "matrix-new-source"},
    "evidence_update": evidence_body,
    "evidence_partial_update": lambda w: {"excerpt": "Other words.", "correction_reason": REASON},
    "evidence_destroy": lambda w: None,
    "sections_create": lambda w: {
        "document": f"matrix-{w.state}-bare",
        "label": "I",
        "order": 1,
        "start": 0,
        "end": 5,
    },  # fmt: skip
    "sections_update": lambda w: {
        "document": w.claim.document.slug,
        "label": w.section.label,
        "title": "Renamed",
        "order": w.section.order,
        "start": w.section.start,
        "end": w.section.end,
    },  # fmt: skip
    "sections_partial_update": lambda w: {"title": "Renamed"},
    "sections_destroy": lambda w: None,
    "sources_create": lambda w: {"key": "matrix-created", "kind": "book", "title": "A book"},
    "sources_update": lambda w: {"key": w.evidence.source.key, "kind": "book", "title": "Renamed"},
    "sources_partial_update": lambda w: {"title": "Renamed"},
    "sources_destroy": lambda w: None,
    "topics_create": lambda w: {"name": "Created", "slug": "created"},
    "topics_update": lambda w: {"name": "Renamed", "slug": w.topic.slug},
    "topics_partial_update": lambda w: {"name": "Renamed"},
    "topics_destroy": lambda w: None,
}

# The object a path's parameter names, by the resource the path starts with.
PATH_VALUES = {
    "/api/claims/": lambda w: w.claim.pk,
    "/api/evidence/": lambda w: w.evidence.pk,
    "/api/sections/": lambda w: w.section.pk,
    "/api/documents/": lambda w: w.claim.document.slug,
    "/api/topics/": lambda w: w.topic.slug,
    "/api/sources/": lambda w: w.evidence.source.key,
}
# Query parameters a write takes (a reviewer's reason when deleting evidence).
QUERIES = {"evidence_destroy": f"?correction_reason={REASON.replace(' ', '+')}"}


def write_operations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, path) of every write operation the schema documents."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        operation["operationId"]: (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in WRITE_METHODS
    }


def build_world(state: str) -> World:
    document = DocumentFactory(slug=f"matrix-{state}")
    DocumentFactory(
        slug=f"matrix-{state}-bare", body="Bare text, no sections."
    ).sections.all().delete()
    claim = PublishedClaimFactory(document=document, key="C001", status=state)
    EvidenceFactory(claim=claim, source=SourceFactory(key=f"matrix-{state}-second"))
    topic = TopicFactory(slug=f"matrix-{state}-topic")
    claim.topics.add(topic)
    other = PublishedClaimFactory(
        document=DocumentFactory(slug=f"matrix-{state}-other"), key="C001"
    )
    return World(
        state=state,
        claim=claim,
        other=other,
        evidence=claim.evidence.order_by("id").first(),
        section=claim.section,
        topic=topic,
    )


def make_users() -> dict:
    users = get_user_model().objects
    curator = users.create_user("m-curator", is_staff=True)
    curator.groups.add(Group.objects.get(name="curators"))
    reviewer = users.create_user("m-reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="reviewers"))
    return {
        "anonymous": None,
        "user": users.create_user("m-user"),
        "staff": users.create_user("m-staff", is_staff=True),
        "curator": curator,
        "reviewer": reviewer,
        "superuser": users.create_superuser("m-superuser"),
    }


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """The worlds and users, built once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        SourceFactory(key="matrix-new-source")
        yield {"worlds": {state: build_world(state) for state in STATES}, "users": make_users()}
        transaction.set_rollback(True)


def answer(user, method: str, url: str, body) -> int:
    """The status of one request, whose writes are rolled back."""
    cache.clear()  # throttle counters: the matrix makes more requests than a reader may
    client = APIClient()
    if user is not None:
        client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    data = json.dumps(body) if body is not None else None
    with transaction.atomic():
        response = client.generic(
            method.upper(), url, data=data, content_type="application/json", HTTP_IF_MATCH="*"
        )
        transaction.set_rollback(True)
    return response.status_code


def expected(operation: str, role: str, state: str) -> int:
    outcome = EXPECTED[operation][role]
    return outcome[STATES.index(state)] if isinstance(outcome, tuple) else outcome


def test_every_write_operation_has_a_row():
    operations = set(write_operations())
    assert operations - set(EXPECTED) == set(), "add a row to EXPECTED (and a body to BODIES)"
    assert set(EXPECTED) - operations == set(), "a row for an operation the schema lacks"
    assert set(BODIES) == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("operation", sorted(EXPECTED))
def test_the_answers_are_the_table(matrix, operation):
    method, path = write_operations_cached()[operation]
    prefix = next(prefix for prefix in PATH_VALUES if path.startswith(prefix))
    got, want = {}, {}
    for state, world in matrix["worlds"].items():
        url = path
        if "{" in path:
            name = path[path.index("{") : path.index("}") + 1]
            url = path.replace(name, str(PATH_VALUES[prefix](world)))
        url += QUERIES.get(operation, "")
        body = BODIES[operation](world)
        for role, user in matrix["users"].items():
            got[role, state] = answer(user, method, url, body)
            want[role, state] = expected(operation, role, state)
    assert got == want


_OPERATIONS: dict = {}


def write_operations_cached() -> dict[str, tuple[str, str]]:
    if not _OPERATIONS:
        _OPERATIONS.update(write_operations())
    return _OPERATIONS
