"""The data version token: what caches of public answers key on (core/data_version.py)."""

import pytest
from django.contrib.auth.models import User
from django.core import serializers

from core import data_version
from tests.factories import ClaimFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_a_content_write_gives_a_new_token_once_committed(django_capture_on_commit_callbacks):
    before = data_version.current()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        TopicFactory()
    assert data_version.current() == before, "no new token before the write commits"
    for callback in callbacks:
        callback()
    assert data_version.current() != before


def test_deletes_and_many_to_many_changes_give_a_new_token(django_capture_on_commit_callbacks):
    claim = ClaimFactory()
    topic = TopicFactory()
    for change in (lambda: claim.topics.add(topic), topic.delete):
        before = data_version.current()
        with django_capture_on_commit_callbacks(execute=True):
            change()
        assert data_version.current() != before


def test_writes_outside_the_content_apps_keep_the_token(django_capture_on_commit_callbacks):
    before = data_version.current()
    with django_capture_on_commit_callbacks(execute=True):
        User.objects.create_user("someone")
    assert data_version.current() == before


def test_a_raw_fixture_load_does_not_bump_per_row(django_capture_on_commit_callbacks):
    topic = TopicFactory.build(name="Trade", slug="trade")
    payload = serializers.serialize("json", [topic])
    before = data_version.current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for obj in serializers.deserialize("json", payload):
            obj.save()
    assert callbacks == []
    assert data_version.current() == before


def test_a_lost_token_is_replaced_by_a_new_one(settings):
    from django.core.cache import cache

    first = data_version.current()
    cache.delete(data_version.CACHE_KEY)
    assert data_version.current() != first
