"""python -m bench.capture OUT.json: each case's context, and the SQL Claimbase runs for it.

Runs inside Django against the database DATABASE_URL names (the same settings the
benchmarked server gets). For every case it requests the page once through Django's test
client, as an anonymous reader, and records the status, the size of the answer and every
query (SQL with its parameters inlined, as the database backend reports it). The floor
server replays exactly these queries; the query counts in the results come from here.
"""

import json
import os
import sys
import time


def corpus_context() -> dict:
    """The rows the case paths name, read from the corpus."""
    from django.db.models import Count

    from bench.corpus import COMMON_WORD, RARE_WORD
    from claims.models import Claim, Document

    public = Claim.objects.filter(status="published")
    claim = (
        public.annotate(n=Count("evidence"))
        .filter(n__gte=2, same_as__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    document = (
        Document.objects.annotate(n=Count("claims"))
        .order_by("-n", "id")
        .values("id", "slug", "n")
        .first()
    )
    # Page 1,000 of 50 (the last page on a corpus too small for it), and Datasette's keyset
    # page that starts at the same offset of its own order.
    deep_page = max(1, min(1000, public.count() // 50))
    offset = (deep_page - 1) * 50
    page_1000_next = Claim.objects.order_by("id").values_list("id", flat=True)[max(0, offset - 1)]
    claim_row = Claim.objects.filter(id=claim).values("key", "document__slug").first()
    return {
        "claim_id": claim,
        "claim_key": claim_row["key"],
        "claim_document_slug": claim_row["document__slug"],
        "deep_cursor": deep_cursor(offset),
        "document_id": document["id"],
        "document_slug": document["slug"],
        "document_claims": document["n"],
        "deep_page": deep_page,
        "page_1000_next": page_1000_next,
        "rare_word": RARE_WORD,
        "common_word": COMMON_WORD,
        "no_count_parameter": os.environ.get("BENCH_NO_COUNT_PARAMETER", "cursor="),
    }


def deep_cursor(offset: int) -> str | None:
    """The keyset cursor of the page at `offset` of the anonymous claim list, when the list
    pages by key (core.pagination's cursor); None on a version without it."""
    from django.contrib.auth.models import AnonymousUser

    from claims.api.views import ClaimViewSet
    from claims.models import Claim

    ordering = getattr(ClaimViewSet, "keyset_ordering", None)
    try:
        from core.pagination import encode_cursor
    except ImportError:
        return None
    if not ordering:
        return None
    rows = Claim.objects.visible_to(AnonymousUser()).order_by(*ordering)
    values = rows.values_list(*ordering)[max(0, offset - 1)]
    return encode_cursor(list(values))


def read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def has_count(response, body: bytes) -> bool:
    """Whether a list's answer carries a total count."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return False
    data = json.loads(body)
    return isinstance(data, dict) and data.get("count") is not None


def capture(context: dict) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.cases import CASES, TRANSACTION_STATEMENTS

    client = Client(HTTP_ACCEPT="application/json")
    captured = {}
    wanted = [name for name in os.environ.get("BENCH_CASES", "").split(",") if name]
    for case in CASES:
        if not case.available(context) or (wanted and case.name not in wanted):
            continue
        path = case.paths(context)["claimbase"]
        # The second request is the one recorded: what a server with warm caches runs. The
        # first one's time (in-process, cold caches) is kept for cached answers.
        started = time.perf_counter()
        read(client.get(path))
        cold_ms = 1000 * (time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            body = read(response)
        sql = [query["sql"] for query in queries.captured_queries]
        captured[case.name] = {
            "path": path,
            "status": response.status_code,
            "bytes": len(body),
            "queries": sum(not q.upper().startswith(TRANSACTION_STATEMENTS) for q in sql),
            "sql": sql,
            "has_count": has_count(response, body),
            "cold_ms": cold_ms,
        }
    return captured


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    context = corpus_context()
    result = {
        "context": context,
        "vendor": __import__("django.db", fromlist=["connection"]).connection.vendor,
        "cases": capture(context),
    }
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)


if __name__ == "__main__":
    main()
