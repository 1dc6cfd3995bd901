"""First-run set-up: the seed is loaded once and an admin account is made once."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from claims.models import Claim, Document

pytestmark = pytest.mark.django_db


def test_setup_site_loads_seed_and_creates_admin_once(capsys):
    call_command("setup_site")
    output = capsys.readouterr().out
    assert "Seed dataset loaded" in output and "password:" in output
    assert Document.objects.count() == 1 and Claim.objects.count() >= 100
    user = get_user_model().objects.get(username="admin")
    password = output.split("password:")[1].split()[0]
    assert user.is_superuser and user.check_password(password)

    call_command("setup_site")
    again = capsys.readouterr().out
    assert "seed not loaded" in again and "password" not in again
    assert get_user_model().objects.count() == 1
