"""People (accounts.Person): who did what, recorded as data, linked to an account if any."""

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Person

pytestmark = pytest.mark.django_db


def test_for_user_creates_once_and_links():
    user = get_user_model().objects.create(username="ada", first_name="Ada", last_name="L")
    person = Person.for_user(user)
    assert (person.username, person.display_name, person.user) == ("ada", "Ada L", user)
    assert Person.for_user(user) == person
    assert Person.objects.count() == 1


def test_for_user_links_the_person_a_dataset_brought():
    imported = Person.objects.create(username="ada", display_name="Ada from the dataset")
    user = get_user_model().objects.create(username="ada")
    assert Person.for_user(user) == imported
    imported.refresh_from_db()
    assert imported.user == user and imported.display_name == "Ada from the dataset"


def test_for_user_never_borrows_another_accounts_person():
    other = get_user_model().objects.create(username="old-name")
    taken = Person.objects.create(username="ada", user=other)
    user = get_user_model().objects.create(username="ada-account")
    user.username = "ada"  # e.g. the other account was renamed after its person was recorded
    person = Person.for_user(user)
    assert person != taken and person.user == user and person.username != "ada"


def test_a_person_cannot_sign_in_and_is_not_an_account():
    person = Person.objects.create(username="ghost")
    assert not hasattr(person, "password") and person.user is None
    person.link_local_account()
    assert person.user is None
    account = get_user_model().objects.create(username="ghost")
    person.link_local_account()
    assert person.user == account
