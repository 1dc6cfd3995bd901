"""The models and the migrations agree, and the shared core app holds no table."""

import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_no_model_change_is_missing_a_migration():
    # Exits with status 1 (SystemExit) when a model differs from its migrations.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_core_has_no_concrete_model():
    assert list(apps.get_app_config("core").get_models()) == []
