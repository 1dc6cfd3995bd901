"""Time the hot paths in-process (Django test client): median ms and queries per request.

    DATABASE_URL=... .venv/bin/python bench/perf_probe.py [--repeat 15] [--only claims]

A quick profiling aid next to the harness (bench/run.py): no network, no server, the
whole middleware and DRF stack. Run it against a corpus from bench/perf_corpus.py.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("THROTTLE_ANON", "1000000/min")
os.environ.setdefault("THROTTLE_USER", "1000000/min")
os.environ.setdefault("THROTTLE_READER", "1000000/min")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from claims.models import Claim  # noqa: E402


def cases() -> dict[str, str]:
    claim = Claim.objects.filter(status="published").order_by("pk")[500]
    rare = next(word for word in claim.quote.split() if word.startswith("zyx"))
    return {
        "claims": "/api/claims/",
        "claims_100": "/api/claims/?page_size=100",
        "claims_page_1000": "/api/claims/?page=1000",
        "claims_filter": "/api/claims/?claim_type=statistic&verdict=supported",
        "claims_topic": "/api/claims/?topic=topic-trade",
        "claim_detail": f"/api/claims/{claim.pk}/",
        "search_rare": f"/api/claims/?q={rare}",
        "search_common": "/api/claims/?q=tariff",
        "facets": "/api/claims/facets/",
        "facets_filtered": "/api/claims/facets/?document=synthetic-3&claim_type=causal",
        "similar": f"/api/claims/{claim.pk}/similar/",
        "sources": "/api/sources/",
        "document": "/api/documents/synthetic-1/",
        "documents": "/api/documents/",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    client = Client(HTTP_HOST="localhost")
    print(f"{connection.vendor}: case, median ms, queries, bytes")
    for name, url in cases().items():
        if args.only and name not in args.only:
            continue
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, HTTP_ACCEPT="application/json")
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
        print(
            f"{name:18} {statistics.median(timings):8.1f} {len(queries.captured_queries):4d}"
            f" {len(response.content):9d}"
        )


if __name__ == "__main__":
    main()
