"""How the reader's document page grows with the number of claims in one document.

    .venv/bin/python bench/document_page.py [--sizes 200,2000,10000] [--repeat 3]

For each size, a synthetic document with that many claims (bench/corpus.py: one
sentence per claim, three pieces of evidence each, topics, sections) is written into
a fresh test database (`test_` + the configured database; SQLite in memory by default,
PostgreSQL when DATABASE_URL names one), and the page is requested through the WSGI
handler (django.test.Client) as an anonymous reader and as a curator: the response's
size (as sent, and gzip-compressed as a browser receives it), the median time of
`--repeat` requests after one warm-up, and the number of queries. The details of one
claim (the panel fragment the page fetches on selection) are measured too. Nothing is
kept: the test database is dropped at the end. Not a test; it prints a table.
"""

import argparse
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.urls import reverse  # noqa: E402

from bench import corpus  # noqa: E402


def measure(client: Client, url: str, repeat: int) -> dict:
    client.get(url)  # warm-up: templates compiled, caches filled
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    body = response.content
    return {
        "bytes": len(body),
        "gzip": len(gzip.compress(body, 6)),
        "ms": statistics.median(times) * 1000,
        "queries": len(queries.captured_queries),
    }


def curator_client() -> Client:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("bench-curator", "", "unused")
    client = Client()
    client.force_login(user)
    return client


def run(sizes: list[int], repeat: int) -> list[dict]:
    from claims.models import Claim, Document

    results = []
    for claims in sizes:
        call_command("flush", interactive=False, verbosity=0)
        size = corpus.Size(
            f"doc{claims}", documents=1, claims=claims, sources=max(20, claims // 10),
            evidence=3 * claims,  # exactly three per claim (corpus.evidence_counts)
        )  # fmt: skip
        corpus.load(corpus.build(size))
        document = Document.objects.get()
        claim = Claim.objects.filter(document=document, status="published").order_by("start")[
            claims // 2
        ]
        page = reverse("reader:document-detail", args=[document.slug])
        row = {"claims": claims, "body_chars": len(document.body)}
        row["anonymous"] = measure(Client(), page, repeat)
        row["curator"] = measure(curator_client(), page, repeat)
        try:
            panel = reverse("reader:claim-panel", args=[document.slug, claim.key])
        except Exception:  # before the panels were fetched on demand
            panel = None
        row["panel"] = measure(Client(), panel, repeat) if panel else None
        results.append(row)
        print(report_line(row), flush=True)
    return results


def report_line(row: dict) -> str:
    def cell(figures: dict | None) -> str:
        if figures is None:
            return "—"
        return (
            f"{figures['bytes'] / 1024:8.0f} KiB {figures['gzip'] / 1024:6.0f} KiB gz "
            f"{figures['ms']:7.0f} ms {figures['queries']:3d} q"
        )

    return (
        f"{row['claims']:>6} claims | anonymous {cell(row['anonymous'])} | "
        f"curator {cell(row['curator'])} | one panel {cell(row['panel'])}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,2000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(value) for value in args.sizes.split(",")]
    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"database: {connection.vendor}; median of {args.repeat} requests after a warm-up")
        run(sizes, args.repeat)
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
