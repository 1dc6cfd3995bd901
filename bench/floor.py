"""The raw-SQL floor: a WSGI app that replays the SQL Claimbase ran for a case, and nothing else.

GET /<case> runs the case's captured queries in order with plain sqlite3 or psycopg over
one connection per worker process, reads every row, and answers them as JSON. What it
costs is what the database work costs from Python with no framework: Claimbase's time
over the floor's is the time Claimbase spends outside the SQL.

Settings come from the environment: BENCH_REPLAY (the capture file) and DATABASE_URL.
Served by gunicorn with the same settings as Claimbase (`gunicorn bench.floor:app`).
"""

import json
import os
import re
import sqlite3
from urllib.parse import unquote, urlsplit

from bench.cases import TRANSACTION_STATEMENTS

# Django reads a streamed PostgreSQL query through a named cursor and logs only its DECLARE
# (not the FETCHes): the floor runs the query itself and reads every row.
DECLARE = re.compile(r"^DECLARE\s+\S+\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", re.S)


def statements(sql_list: list[str]) -> list[str]:
    kept = (sql for sql in sql_list if not sql.upper().startswith(TRANSACTION_STATEMENTS))
    return [DECLARE.sub("", sql, count=1) for sql in kept]


with open(os.environ["BENCH_REPLAY"], encoding="utf-8") as replay:
    CASES = {name: statements(case["sql"]) for name, case in json.load(replay)["cases"].items()}


_connection = None


def connect():
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite:"):
        path = unquote(urlsplit(url).path)
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        return connection
    import psycopg

    return psycopg.connect(url, autocommit=True)


def run(statements: list[str]) -> list:
    global _connection
    if _connection is None:
        _connection = connect()
    results = []
    cursor = _connection.cursor()
    for sql in statements:
        cursor.execute(sql)
        results.append(cursor.fetchall() if cursor.description else [])
    return results


def app(environ, start_response):
    name = environ.get("PATH_INFO", "/").strip("/")
    if name not in CASES:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"unknown case"]
    body = json.dumps(run(CASES[name]), default=str).encode("utf-8")
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
