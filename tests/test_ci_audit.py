"""The CI's pip-audit step (.ci/audit.py): passes saying why without the network, fails
for a vulnerability that has a fix, warns for one that has none (issue 11)."""

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

SPEC = importlib.util.spec_from_file_location(
    "ci_audit", Path(settings.BASE_DIR) / ".ci" / "audit.py"
)
audit = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(audit)


def report(*vulns) -> str:
    return json.dumps(
        {
            "dependencies": [
                {"name": "django", "version": "5.2.0", "vulns": list(vulns)},
                {"name": "pytest", "version": "8.3.0", "vulns": []},
            ],
            "fixes": [],
        }
    )


@pytest.fixture
def reachable(monkeypatch):
    monkeypatch.setattr(audit, "service_reachable", lambda: True)

    def fake(stdout, returncode=0, stderr=""):
        monkeypatch.setattr(
            audit.subprocess,
            "run",
            lambda *a, **k: subprocess.CompletedProcess(a, returncode, stdout, stderr),
        )

    return fake


def test_without_the_service_it_passes_saying_so(monkeypatch, capsys):
    monkeypatch.setattr(audit, "service_reachable", lambda: False)
    assert audit.main() == 0
    assert "pip-audit skipped: the vulnerability service" in capsys.readouterr().out


def test_a_vulnerability_with_a_fix_fails(reachable, capsys):
    reachable(report({"id": "PYSEC-1", "fix_versions": ["5.2.1"]}), returncode=1)
    assert audit.main() == 1
    assert "django 5.2.0: PYSEC-1 (fixed in 5.2.1)" in capsys.readouterr().out


def test_a_vulnerability_without_a_fix_is_a_warning(reachable, capsys):
    reachable(report({"id": "GHSA-x", "fix_versions": []}), returncode=1)
    assert audit.main() == 0
    out = capsys.readouterr().out
    assert "warning: django 5.2.0: GHSA-x (no fixed release yet)" in out


def test_a_clean_report_passes(reachable, capsys):
    reachable(report())
    assert audit.main() == 0
    assert "2 packages, no known vulnerability" in capsys.readouterr().out


def test_an_audit_that_breaks_fails(reachable, capsys):
    reachable("", returncode=1, stderr="Traceback: something broke")
    assert audit.main() == 2
    assert "could not complete" in capsys.readouterr().err
