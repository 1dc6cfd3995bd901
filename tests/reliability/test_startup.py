"""Starting up safely: the generated secret key is private from its first byte, and a
production server (DEBUG off) refuses to start without SECRET_KEY in its environment."""

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from config import settings as project_settings

BASE_DIR = Path(django_settings.BASE_DIR)


@pytest.fixture
def fresh_var_dir(tmp_path, monkeypatch):
    var_dir = tmp_path / "var"
    monkeypatch.setattr(project_settings, "VAR_DIR", var_dir)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return var_dir


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_key_file_is_private_from_its_creation(fresh_var_dir, monkeypatch):
    """No chmod afterwards: the file is created 0600 (a chmod after writing would leave a
    moment in which others may read the key), and var/ is created 0700."""
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)
    previous_umask = os.umask(0o022)
    try:
        key = project_settings.load_secret_key()
    finally:
        os.umask(previous_umask)
    key_file = fresh_var_dir / "secret_key"
    assert key_file.read_text() == key and len(key) >= 50
    assert mode_of(key_file) == 0o600
    assert mode_of(fresh_var_dir) == 0o700
    assert [path.name for path in fresh_var_dir.iterdir()] == ["secret_key"]  # no leftovers


def test_the_var_directory_is_private_whatever_the_umask(fresh_var_dir):
    previous_umask = os.umask(0)
    try:
        project_settings.load_secret_key()
    finally:
        os.umask(previous_umask)
    assert mode_of(fresh_var_dir) == 0o700
    assert mode_of(fresh_var_dir / "secret_key") == 0o600


def test_the_key_is_kept_and_reused(fresh_var_dir):
    first = project_settings.load_secret_key()
    assert project_settings.load_secret_key() == first


def test_a_key_file_readable_by_others_is_made_private(fresh_var_dir):
    fresh_var_dir.mkdir(mode=0o700)
    key_file = fresh_var_dir / "secret_key"
    key_file.write_text("an-old-key")
    key_file.chmod(0o644)
    assert project_settings.load_secret_key() == "an-old-key"
    assert mode_of(key_file) == 0o600


def start_server(tmp_path, **environment) -> subprocess.CompletedProcess:
    """Load the WSGI application as gunicorn would, in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(CLAIMBASE_VAR_DIR=str(tmp_path), **environment)
    return subprocess.run(
        [sys.executable, "-c", "import config.wsgi, config.asgi"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_server_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = start_server(tmp_path, DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set and DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    "environment", [{"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}, {"DEBUG": "1"}]
)
def test_the_server_starts_with_a_key_or_in_development(tmp_path, environment):
    result = start_server(tmp_path, **environment)
    assert result.returncode == 0, result.stderr


def test_the_deploy_check_says_so_too(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(CLAIMBASE_VAR_DIR=str(tmp_path), DEBUG="0")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "claimbase.E001" in result.stderr and "SECRET_KEY is not set" in result.stderr
