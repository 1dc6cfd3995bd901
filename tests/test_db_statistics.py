"""Planner statistics are refreshed after a dataset import (core/db_statistics.py).

Without them SQLite reads the claim list through the `status` index and sorts every
published claim for one page; with them it walks the document-order index and stops
after the page.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.datasets import dataset_import
from core.db_statistics import refresh_planner_statistics
from tests.conftest import SEED

pytestmark = pytest.mark.django_db


def analyzed_claim_rows() -> int | None:
    """How many claim rows the planner believes there are; None if never analyzed."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'claims_claim_doc_start'")
            row = cursor.fetchone()
            return None if row is None else int(row[0].split()[0])
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'claims_claim'")
        tuples = cursor.fetchone()[0]
        return None if tuples < 0 else int(tuples)


def forget_statistics() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM sqlite_stat1")
        else:
            cursor.execute("UPDATE pg_class SET reltuples = -1 WHERE relname = 'claims_claim'")


def test_a_dataset_import_leaves_the_planner_knowing_the_new_size():
    forget_statistics()
    report = dataset_import(paths=[SEED])
    claims = report.created["claims.claim"]
    assert claims > 100
    assert analyzed_claim_rows() == claims


def test_sqlite_reads_the_claim_list_in_document_order_once_analyzed(anonymous_client):
    if connection.vendor != "sqlite":
        pytest.skip("the plan checked here is SQLite's; PostgreSQL's autovacuum analyzes too")
    dataset_import(paths=[SEED])

    def list_plan() -> str:
        with CaptureQueriesContext(connection) as queries:
            assert anonymous_client.get("/api/claims/?page_size=50").status_code == 200
        page_query = next(q["sql"] for q in queries if " LIMIT 50" in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + page_query)
            return " | ".join(row[-1] for row in cursor.fetchall())

    forget_statistics()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sqlite_schema")  # the planner rereads sqlite_stat1
    assert "TEMP B-TREE FOR ORDER BY" in list_plan()  # every published claim sorted
    refresh_planner_statistics()
    plan = list_plan()
    assert "TEMP B-TREE" not in plan, plan
    # An index in the list's order: all claims', or the public claims' (a partial index).
    assert "claims_claim_doc_start" in plan or "claims_claim_public_order" in plan, plan
