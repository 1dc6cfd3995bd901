"""Claimbase over a real PostgreSQL primary and streaming standby, PgBouncer and Redis.

The servers run in their own processes (tests/scale/servers.py): gunicorn with
DATABASE_URL on the primary and DATABASE_REPLICA_URLS on the standby, exactly as a
deployment configures it. Which database answered is read from the X-Claimbase-Database
header (DATABASE_ROUTE_HEADER=1) and cross-checked with pg_is_in_recovery().
"""

from __future__ import annotations

import os
import time
import uuid

import pytest
import redis
import requests

from tests.scale import servers

# Once per CI run is enough: in the PostgreSQL run, next to the rest of the engine's tests.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="runs with the PostgreSQL suite (set DATABASE_URL); this run uses SQLite",
    ),
]

HEADER = "X-Claimbase-Database"
PASSWORD = "scale-test-password-7"


@pytest.fixture(scope="module")
def redis_url():
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    return url


@pytest.fixture(scope="module")
def pair():
    try:
        with servers.postgres_pair() as pair:
            yield pair
    except servers.Unavailable as reason:
        pytest.skip(str(reason))


@pytest.fixture(scope="module")
def site(pair, redis_url):
    """The seed and two accounts on the primary; a superuser's API token."""
    env = servers.app_env(DATABASE_URL=pair.primary_url)
    servers.manage("migrate", "--noinput", env=env)
    servers.manage("loaddata", "fixtures/seed.json", env=env)
    servers.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User;"
        f"User.objects.create_superuser('chief', password='{PASSWORD}');"
        f"User.objects.create_user('curator', password='{PASSWORD}', is_staff=True)",
        env=env,
    )
    token = servers.manage("api_token", "create", "chief", "--days", "1", env=env).strip()
    pair.wait_for_standby()
    prefix = f"cb-test-{uuid.uuid4().hex[:8]}"
    base_env = servers.app_env(
        DATABASE_URL=pair.primary_url,
        DATABASE_REPLICA_URLS=pair.standby_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=prefix,
        REPLICA_MAX_LAG_SECONDS="1",
        REPLICA_CHECK_SECONDS="0.2",
        READ_YOUR_WRITES_SECONDS="30",
        THROTTLE_ANON="1000/min",
    )
    yield {"env": base_env, "token": token}
    redis.Redis.from_url(redis_url).delete(
        *redis.Redis.from_url(redis_url).keys(f"{prefix}:*") or ["none"]
    )


@pytest.fixture(scope="module")
def server(site):
    with servers.gunicorn(site["env"]) as url:
        yield url


def answered_by(response) -> str:
    assert response.status_code == 200, (response.status_code, response.text[:300])
    return response.headers[HEADER]


def test_the_replica_alias_is_the_standby(pair):
    assert pair.sql(pair.standby_port, "SELECT pg_is_in_recovery()")[0][0] is True
    assert pair.sql(pair.primary_port, "SELECT pg_is_in_recovery()")[0][0] is False


def test_anonymous_lists_details_and_pages_are_read_on_the_standby(server):
    claims = requests.get(f"{server}/api/claims/", timeout=10)
    assert answered_by(claims) == "replica1"
    first = claims.json()["results"][0]
    assert answered_by(requests.get(f"{server}/api/claims/{first['id']}/", timeout=10)) == (
        "replica1"
    )
    assert answered_by(requests.get(f"{server}/api/sources/", timeout=10)) == "replica1"
    assert answered_by(requests.get(f"{server}/", timeout=10)) == "replica1"


def test_a_write_goes_to_the_primary_and_the_writer_then_reads_there(server, site, pair):
    writer = requests.Session()
    writer.headers["Authorization"] = f"Token {site['token']}"
    suffix = uuid.uuid4().hex[:6]
    name = f"Replication {suffix}"
    created = writer.post(
        f"{server}/api/topics/", json={"name": name, "slug": f"replication-{suffix}"}, timeout=10
    )
    assert created.status_code == 201, created.text
    assert created.headers[HEADER] == "default"
    slug = created.json()["slug"]
    # On the primary at once, whatever the standby has replayed yet.
    assert (
        pair.sql(pair.primary_port, f"SELECT count(*) FROM claims_topic WHERE slug='{slug}'")[0][0]
        == 1
    )
    again = writer.get(f"{server}/api/topics/{slug}/", timeout=10)
    assert answered_by(again) == "default"
    assert again.json()["name"] == name
    # Another client, which wrote nothing, still reads on the standby.
    assert answered_by(requests.get(f"{server}/api/topics/", timeout=10)) == "replica1"


def test_a_standby_lagging_beyond_the_limit_is_skipped(server, site, pair):
    pair.sql(pair.standby_port, "SELECT pg_wal_replay_pause()", database="postgres")
    try:
        writer = requests.Session()
        writer.headers["Authorization"] = f"Token {site['token']}"
        for _ in range(3):  # writes the standby receives but does not replay
            suffix = uuid.uuid4().hex[:6]
            created = writer.post(
                f"{server}/api/topics/",
                json={"name": f"Lag {suffix}", "slug": f"lag-{suffix}"},
                timeout=10,
            )
            assert created.status_code == 201, created.text
            time.sleep(0.6)
        time.sleep(1.0)
        assert answered_by(requests.get(f"{server}/api/claims/", timeout=10)) == "default"
    finally:
        pair.sql(pair.standby_port, "SELECT pg_wal_replay_resume()", database="postgres")
    pair.wait_for_standby()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if answered_by(requests.get(f"{server}/api/claims/", timeout=10)) == "replica1":
            break
        time.sleep(0.3)
    else:
        pytest.fail("reads did not return to the standby once it caught up")


def test_sessions_throttles_and_read_your_writes_hold_across_two_servers(site, pair):
    env = {
        **site["env"],
        "THROTTLE_ANON": "6/min",
        "CACHE_KEY_PREFIX": f"cb-two-{uuid.uuid4().hex[:6]}",
    }
    with servers.gunicorn(env) as first, servers.gunicorn(env) as second:
        # One anonymous client's budget is shared by both servers (counted in Redis).
        statuses = [
            requests.get(f"{url}/api/topics/", timeout=10).status_code
            for url in (first, second) * 4
        ]
        assert statuses[:6] == [200] * 6
        assert statuses[6:] == [429, 429]

        # A session opened on one server is valid on the other.
        browser = requests.Session()
        login = f"{first}/admin/login/"
        browser.get(login, timeout=10)
        signed_in = browser.post(
            login,
            data={
                "username": "chief",
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                "next": "/admin/",
            },
            headers={"Referer": login},
            timeout=10,
        )
        assert signed_in.status_code == 200 and "Log out" in signed_in.text
        on_second = browser.get(f"{second}/admin/", timeout=10, allow_redirects=False)
        assert on_second.status_code == 200

        # Having written (the login) through the first server, the client reads on the
        # primary through the second too.
        assert on_second.headers[HEADER] == "default"


def test_reads_through_pgbouncer_in_transaction_mode(site, pair):
    try:
        with servers.pgbouncer(pair.primary_port, pair.database) as port:
            env = {
                **site["env"],
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/{pair.database}",
                "DATABASE_REPLICA_URLS": "",
                "DATABASE_POOLER": "pgbouncer",
            }
            with servers.gunicorn(env) as url:
                claims = requests.get(f"{url}/api/claims/?page_size=100", timeout=10)
                assert answered_by(claims) == "default"
                first = claims.json()["results"][0]
                paths = [
                    "/api/documents/",
                    "/api/sources/",
                    "/api/topics/",
                    "/api/evidence/",
                    f"/api/claims/{first['id']}/",
                    "/api/claims/?q=history",
                    "/api/claims/facets/",
                    "/api/claims/export.csv",
                    "/",
                ]
                # Twice over: psycopg would prepare repeated statements after a few runs,
                # which a transaction-mode pooler breaks unless they are switched off.
                for path in paths * 3:
                    response = requests.get(f"{url}{path}", timeout=20)
                    assert response.status_code == 200, (path, response.text[:300])
    except servers.Unavailable as reason:
        pytest.skip(str(reason))


def test_a_standby_that_stops_mid_run_is_never_a_500(site, pair):
    # One worker that trusts its last health check for minutes: after the standby stops,
    # its first reads still go there, fail, and must be answered again from the primary.
    env = {**site["env"], "REPLICA_CHECK_SECONDS": "600", "THROTTLE_ANON": "1000/min"}
    with servers.gunicorn(env, workers=1) as url:
        assert answered_by(requests.get(f"{url}/api/claims/", timeout=10)) == "replica1"
        pair.stop_standby()
        try:
            for path in ("/api/claims/", "/api/sources/", "/", "/api/claims/?q=history") * 2:
                assert answered_by(requests.get(f"{url}{path}", timeout=15)) == "default"
        finally:
            pair.start_standby()
