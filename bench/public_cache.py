"""The anonymous readers' mix with and without revalidation by the public cache.

    python bench/public_cache.py [--seconds 20] [--clients 8]

Starts Claimbase under gunicorn (2 workers) on the database of `BENCH_DATABASE_URL` (else
a SQLite file under var/bench/ made from the seed) with Redis as the shared cache, then
sends the same mix of anonymous GETs (claim list pages, claim details, claim pages, the
claims table, the document page) for the same time twice: once as plain requests (every
one rendered), once as a cache in front would send them after max-age (If-None-Match with
the ETag it holds: 304 while the data version holds). Prints and writes
bench/results/public-cache.md: requests per second and median latency of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.scale import servers  # noqa: E402  (the same server helpers as the scale tests)


def prepare_database() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    path = REPO / "var" / "bench" / "public_cache.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    if not path.exists():
        env = servers.app_env(DATABASE_URL=url)
        servers.manage("migrate", "--noinput", env=env)
        servers.manage("loaddata", "fixtures/seed.json", env=env)
    return url


def the_mix(base: str) -> list[str]:
    claims = requests.get(f"{base}/api/claims/?page_size=20", timeout=30).json()["results"]
    document = requests.get(f"{base}/api/documents/", timeout=30).json()["results"][0]["slug"]
    paths = [f"/api/claims/?page={page}" for page in (1, 2, 3)]
    paths += [f"/api/claims/{claim['id']}/" for claim in claims[:10]]
    paths += [f"/documents/{document}/claims/{claim['key']}/" for claim in claims[:10]]
    paths += ["/claims/", f"/documents/{document}/", "/api/claims/facets/"]
    return paths


def run(base: str, paths: list[str], seconds: float, clients: int, revalidate: bool) -> dict:
    tags: dict[str, str] = {}
    if revalidate:
        for path in paths:
            tags[path] = requests.get(base + path, timeout=30).headers.get("ETag", "")
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        session = requests.Session()
        index = offset
        while time.monotonic() < deadline:
            path = paths[index % len(paths)]
            index += 1
            headers = {"If-None-Match": tags[path]} if revalidate and tags.get(path) else {}
            started = time.perf_counter()
            response = session.get(base + path, headers=headers, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / seconds,
        "median_ms": statistics.median(latencies) * 1000,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    database_url = prepare_database()
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    env = servers.app_env(
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        CACHE_KEY_PREFIX="cb-bench-public",
        THROTTLE_ANON="1000000/min",
        THROTTLE_READER="1000000/min",
        DATABASE_ROUTE_HEADER="0",
    )
    with servers.gunicorn(env) as base:
        paths = the_mix(base)
        plain = run(base, paths, args.seconds, args.clients, revalidate=False)
        cached = run(base, paths, args.seconds, args.clients, revalidate=True)
    machine = subprocess.run(["uname", "-srm"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Anonymous mix with and without the public cache's revalidation",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {machine}, {os.cpu_count()} cores "
        f"(server, database and clients on one machine), {engine} with the seed dataset, "
        "Redis, gunicorn 2 workers, "
        f"{args.clients} clients, {args.seconds:g} s each, {len(paths)} addresses in the mix; "
        f"`python bench/public_cache.py --seconds {args.seconds:g} --clients {args.clients}`.",
        "",
        "| mode | requests/s | median ms | statuses |",
        "|---|---|---|---|",
        f"| every request rendered | {plain['per_second']:.1f} | {plain['median_ms']:.1f} | {plain['statuses']} |",
        f"| revalidated (If-None-Match → 304) | {cached['per_second']:.1f} | {cached['median_ms']:.1f} | {cached['statuses']} |",
        "",
        f"Revalidation serves {cached['per_second'] / plain['per_second']:.1f}× the requests per second.",
    ]
    report = "\n".join(lines) + "\n"
    out = REPO / "bench" / "results" / "public-cache.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
