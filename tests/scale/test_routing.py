"""Routing decisions of core/routing.py, in the process (the real standby: test_replicas.py)."""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from core import replicas, routing

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_replica(settings, monkeypatch):
    settings.DATABASE_REPLICAS = ["replica1"]
    settings.READ_YOUR_WRITES_SECONDS = 10
    monkeypatch.setattr(replicas, "pick", lambda: "replica1")


def route_of(request):
    """The alias the request's reads used, as the middleware reports it."""
    seen = {}

    def view(request):
        seen["alias"] = routing.reading_alias()
        with transaction.atomic():
            seen["in_transaction"] = routing.reading_alias()
        return HttpResponse("ok")

    response = routing.ReplicaRoutingMiddleware(view)(request)
    return seen, response


def test_a_safe_request_reads_on_a_replica_but_not_inside_a_transaction(one_replica):
    seen, _ = route_of(RequestFactory().get("/api/claims/"))
    assert seen == {"alias": "replica1", "in_transaction": "default"}


def test_a_write_reads_on_the_primary_and_marks_its_client(one_replica):
    seen, response = route_of(RequestFactory().post("/api/topics/"))
    assert seen["alias"] == "default"
    cookie = response.cookies[routing.COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == 10
    # The same client's next read stays on the primary; a forged cookie does not count.
    follow = RequestFactory().get("/api/topics/")
    follow.COOKIES[routing.COOKIE] = cookie.value
    assert route_of(follow)[0]["alias"] == "default"
    forged = RequestFactory().get("/api/topics/")
    forged.COOKIES[routing.COOKIE] = "1:forged"
    assert route_of(forged)[0]["alias"] == "replica1"


def test_without_replicas_everything_is_the_primary(settings):
    settings.DATABASE_REPLICAS = []
    seen, response = route_of(RequestFactory().get("/"))
    assert seen["alias"] == "default"
    assert routing.COOKIE not in response.cookies


def test_outside_a_request_the_primary(one_replica):
    assert routing.reading_alias() == "default"


def test_no_fit_replica_means_the_primary(settings, monkeypatch):
    settings.DATABASE_REPLICAS = ["replica1"]
    monkeypatch.setattr(replicas, "pick", lambda: None)
    assert route_of(RequestFactory().get("/"))[0]["alias"] == "default"
