"""Ways in for snapshots: the admin's upload and `manage.py snapshot_source`."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from sources.models import Snapshot
from tests.factories import EvidenceFactory, SourceFactory

PAGE = (
    b"<html><body><article><p>Both sides wish to reduce the danger of international military "
    b"conflict.</p><p>Neither should seek hegemony in the Asia-Pacific region.</p></article>"
    b"</body></html>"
)


@pytest.mark.django_db
def test_a_curator_uploads_a_saved_page_in_the_admin(client):
    curator = User.objects.create_user("curator", is_staff=True)
    curator.groups.add(Group.objects.get(name="curators"))
    client.force_login(curator)
    source = SourceFactory()
    response = client.post(
        "/admin/sources/snapshot/add/",
        {
            "source": source.pk,
            "url": "https://example.org/communique",
            "retrieved_on": "2026-11-02",
            "upload": SimpleUploadedFile("saved.html", PAGE, content_type="text/html"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    snapshot = Snapshot.objects.get()
    assert "reduce the danger" in snapshot.text


@pytest.mark.django_db
def test_a_bad_upload_is_refused_with_the_reason_and_nothing_stored(admin_client):
    source = SourceFactory()
    response = admin_client.post(
        "/admin/sources/snapshot/add/",
        {
            "source": source.pk,
            "url": "https://example.org/x",
            "retrieved_on": "2026-11-02",
            "upload": SimpleUploadedFile("x.bin", b"\xff\xfe\x81\x00", content_type="image/png"),
        },
    )
    assert response.status_code == 200
    assert "not HTML, PDF or UTF-8 text" in response.content.decode()
    assert not Snapshot.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_command_stores_a_file_and_checks_the_excerpts(tmp_path, capsys):
    source = SourceFactory(key="communique")
    EvidenceFactory(source=source, excerpt="Neither should seek hegemony")
    saved = tmp_path / "saved.html"
    saved.write_bytes(PAGE)
    call_command(
        "snapshot_source", "communique", "--file", str(saved),
        "--url", "https://example.org/c", "--retrieved", "2026-11-02",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "Stored snapshot" in out and "found 1" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nosuch", "--fetch"], "No source with the key"),
        (["known"], "either --file"),
        (["known", "--file", "x.html"], "give --url"),
        (
            ["known", "--file", "x.html", "--url", "https://e.org", "--retrieved", "May"],
            "YYYY-MM-DD",
        ),
        (["known", "--fetch", "--url", "http://169.254.169.254/latest/"], "not a public address"),
    ],
)
def test_the_command_says_what_is_wrong(arguments, message, tmp_path, monkeypatch):
    SourceFactory(key="known")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.html").write_bytes(PAGE)
    with pytest.raises(CommandError, match=message):
        call_command("snapshot_source", *arguments)
    assert not Snapshot.objects.exists()
