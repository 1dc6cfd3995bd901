"""Load benchmark: gunicorn on loopback against PostgreSQL with the seed, a bounded mixed load.

    .venv/bin/python bench/run.py [--clients 50] [--seconds 60] [--baseline-seconds 15]

Steps: create the benchmark database if needed (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/claimbase_bench), migrate it, import the seed
dataset (idempotent), start gunicorn on 127.0.0.1 with production-like settings
(DEBUG off, throttling lifted so the load is not refused), then run two phases with
the same number of concurrent clients:

1. baseline: only the API root (/api/), which runs the whole middleware and DRF
   stack but reads no table: the cost of the framework on this machine;
2. mix: list, detail, filter and search requests over the seed, with the baseline
   request interleaved so it is measured under the same load.

Every figure of the mix is reported next to the baseline as a ratio, so the report
says how the application compares with the bare stack rather than how fast this
machine is. Any error (a status other than 200 or a failed connection) makes the
run fail: the requirement is 0 errors. Results go to bench/results/ (not in git):
a JSON file with every figure and the text report, which is also printed.

The load only ever goes to 127.0.0.1 and stops by itself (time and request caps).
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
SEED = BASE_DIR / "fixtures" / "seed.json"
HOST = "127.0.0.1"  # loopback only, never anything else
MAX_REQUESTS = 2_000_000  # a hard cap besides the time limit
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/claimbase_bench"


# --- the server -------------------------------------------------------------------------


def prepare_database(url: str) -> None:
    """Create the database if it does not exist, migrate it and import the seed."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    env = server_environment(url)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "import_dataset", str(SEED)], env=env, check=True)


def server_environment(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        # The benchmark measures the application, not the throttle that would refuse it.
        THROTTLE_ANON="100000000/min",
        THROTTLE_USER="100000000/min",
        THROTTLE_READER="100000000/min",
        LOG_LEVEL="ERROR",
    )
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(database_url: str, port: int, workers: int, threads: int):
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", str(threads),
        "--keep-alive", "5",
        "--log-level", "warning",
        "--no-control-socket",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=BASE_DIR, env=server_environment(database_url))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


def stop(process) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the client -------------------------------------------------------------------------


class HTTPError(Exception):
    pass


class Connection:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams (GET only)."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
                fresh = True
            else:
                fresh = False
            try:
                return await self._exchange(path)
            except (ConnectionError, asyncio.IncompleteReadError, HTTPError):
                await self.close()
                # A kept-alive connection the server has just closed: retry once on a new one.
                if fresh or attempt == 2:
                    raise
        raise HTTPError("unreachable")

    async def _exchange(self, path: str) -> tuple[int, bytes]:
        request = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: application/json\r\n\r\n"
        self.writer.write(request.encode("ascii"))
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked()
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


@dataclass
class Phase:
    name: str
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    elapsed: float = 0.0


async def run_phase(phase: Phase, port: int, clients: int, choose) -> Phase:
    deadline = time.monotonic() + phase.seconds
    budget = [MAX_REQUESTS]

    async def client(number: int):
        rng = random.Random(number)
        connection = Connection(port)
        try:
            while time.monotonic() < deadline and budget[0] > 0:
                budget[0] -= 1
                kind, path = choose(rng)
                started = time.perf_counter()
                try:
                    status, _ = await connection.get(path)
                except (OSError, asyncio.IncompleteReadError, HTTPError, ValueError) as error:
                    phase.errors.append(f"{kind} {path}: {type(error).__name__}: {error}")
                    continue
                took = time.perf_counter() - started
                phase.requests += 1
                if status != 200:
                    phase.errors.append(f"{kind} {path}: HTTP {status}")
                else:
                    phase.latencies.setdefault(kind, []).append(took)
        finally:
            await connection.close()

    started = time.monotonic()
    await asyncio.gather(*(client(number) for number in range(clients)))
    phase.elapsed = time.monotonic() - started
    return phase


# --- the requests -----------------------------------------------------------------------


def discover(port: int) -> dict:
    """Ids, keys and slugs of public rows, read through the API itself."""

    async def read():
        connection = Connection(port)
        try:
            found = {}
            for name, path, key in [
                ("claims", "/api/claims/?page_size=200", "id"),
                ("sources", "/api/sources/?page_size=200", "key"),
                ("documents", "/api/documents/", "slug"),
            ]:
                status, body = await connection.get(path)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}: is the seed loaded?")
                found[name] = [row[key] for row in json.loads(body)["results"]]
            return found
        finally:
            await connection.close()

    found = asyncio.run(read())
    if not all(found.values()):
        raise SystemExit(f"The benchmark database holds no public data: {found}")
    return found


BASELINE = "baseline /api/"


def request_mix(rows: dict):
    """The weighted mix of the load: what readers of the API and the reader pages ask for."""
    slug = rows["documents"][0]
    kinds = [
        # (kind, weight, path or path maker)
        (BASELINE, 10, lambda rng: "/api/"),
        ("claim list", 10, lambda rng: "/api/claims/"),
        ("claim detail", 20, lambda rng: f"/api/claims/{rng.choice(rows['claims'])}/"),
        (
            "claim filter",
            15,
            lambda rng: rng.choice(
                [
                    f"/api/claims/?document={slug}&has_counter_sources=true",
                    "/api/claims/?claim_type=statistic&verdict=supported",
                    "/api/claims/?verdict=contradicted&ordering=-updated_at",
                    "/api/claims/?checkable=true&page=2&page_size=20",
                ]
            ),
        ),
        (
            "claim search",
            10,
            lambda rng: rng.choice(
                [
                    "/api/claims/?search=students",
                    "/api/claims/?search=trade",
                    "/api/claims/?q=cold%20war",
                    "/api/claims/?q=students",
                ]
            ),
        ),
        ("source filter", 10, lambda rng: "/api/sources/?kind=official_statistics&year_min=2015"),
        ("source detail", 10, lambda rng: f"/api/sources/{rng.choice(rows['sources'])}/"),
        ("evidence filter", 10, lambda rng: "/api/evidence/?stance=contradicts&page_size=20"),
        ("document detail", 5, lambda rng: f"/api/documents/{slug}/"),
    ]
    names = [name for name, _, _ in kinds]
    weights = [weight for _, weight, _ in kinds]
    makers = {name: maker for name, _, maker in kinds}

    def choose(rng: random.Random) -> tuple[str, str]:
        name = rng.choices(names, weights)[0]
        return name, makers[name](rng)

    return choose, {name: weight for name, weight, _ in kinds}


# --- the report -------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarise(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "p50_ms": percentile(ordered, 0.50) * 1000,
        "p95_ms": percentile(ordered, 0.95) * 1000,
        "p99_ms": percentile(ordered, 0.99) * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000 if ordered else float("nan"),
    }


def report(config: dict, baseline: Phase, mix: Phase) -> tuple[dict, str]:
    base_all = summarise([t for values in baseline.latencies.values() for t in values])
    base_rps = baseline.requests / baseline.elapsed
    mix_all = summarise([t for values in mix.latencies.values() for t in values])
    mix_rps = mix.requests / mix.elapsed
    in_mix_baseline = summarise(mix.latencies.get(BASELINE, []))
    kinds = {kind: summarise(values) for kind, values in sorted(mix.latencies.items())}
    figures = {
        "config": config,
        "baseline_phase": {
            "seconds": round(baseline.elapsed, 1),
            "requests": baseline.requests,
            "errors": len(baseline.errors),
            "throughput_rps": base_rps,
            **base_all,
        },
        "mix_phase": {
            "seconds": round(mix.elapsed, 1),
            "requests": mix.requests,
            "errors": len(mix.errors),
            "throughput_rps": mix_rps,
            "throughput_ratio_to_baseline": mix_rps / base_rps,
            **mix_all,
            "p50_ratio_to_baseline_in_mix": mix_all["p50_ms"] / in_mix_baseline["p50_ms"],
            "p99_ratio_to_baseline_in_mix": mix_all["p99_ms"] / in_mix_baseline["p99_ms"],
            "kinds": kinds,
        },
        "error_samples": (baseline.errors + mix.errors)[:20],
    }
    lines = [
        f"Claimbase load benchmark — {config['started']}",
        f"gunicorn {config['workers']} workers x {config['threads']} threads (gthread) on "
        f"{HOST}, PostgreSQL, seed dataset; {config['clients']} concurrent clients; "
        f"{config['cpus']} CPUs shared by server, database and load generator "
        f"(load average before the run: {config['load_average_before'][0]}).",
        "",
        f"{'phase':<28}{'s':>6}{'requests':>10}{'errors':>8}{'req/s':>9}"
        f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}",
    ]
    for name, phase, summary, rps in [
        ("baseline (/api/ only)", baseline, base_all, base_rps),
        ("mix", mix, mix_all, mix_rps),
    ]:
        lines.append(
            f"{name:<28}{phase.elapsed:>6.0f}{phase.requests:>10}{len(phase.errors):>8}"
            f"{rps:>9.1f}{summary['p50_ms']:>9.1f}{summary['p95_ms']:>9.1f}{summary['p99_ms']:>9.1f}"
        )
    lines += [
        "",
        f"mix throughput / baseline throughput: {mix_rps / base_rps:.2f}",
        "",
        "Within the mix (same load, same moment); ratios are to the baseline request's p50 "
        f"in the mix ({in_mix_baseline['p50_ms']:.1f} ms):",
        f"{'request':<20}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p50 x':>8}{'p99 x':>8}",
    ]
    for kind, summary in kinds.items():
        lines.append(
            f"{kind:<20}{summary['count']:>8}{summary['p50_ms']:>9.1f}{summary['p95_ms']:>9.1f}"
            f"{summary['p99_ms']:>9.1f}{summary['p50_ms'] / in_mix_baseline['p50_ms']:>8.1f}"
            f"{summary['p99_ms'] / in_mix_baseline['p50_ms']:>8.1f}"
        )
    errors = len(baseline.errors) + len(mix.errors)
    lines += ["", f"errors: {errors} ({'PASS' if errors == 0 else 'FAIL'}: the requirement is 0)"]
    lines += [f"  {sample}" for sample in figures["error_samples"]]
    return figures, "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--warmup-seconds", type=float, default=3)
    args = parser.parse_args()
    if not (1 <= args.clients <= 500 and 0 < args.seconds <= 600 and args.baseline_seconds <= 600):
        parser.error("keep the load bounded: 1-500 clients, at most 600 s per phase")

    load_before = [round(value, 2) for value in os.getloadavg()]
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    print(f"Preparing {urllib.parse.urlsplit(database_url).path.lstrip('/')} (migrate, seed)…")
    prepare_database(database_url)
    port = free_port()
    server = start_gunicorn(database_url, port, args.workers, args.threads)
    try:
        rows = discover(port)
        choose, weights = request_mix(rows)
        # Warm every worker's connection and caches before measuring.
        asyncio.run(run_phase(Phase("warm-up", args.warmup_seconds), port, args.clients, choose))
        baseline = asyncio.run(
            run_phase(
                Phase("baseline", args.baseline_seconds),
                port,
                args.clients,
                lambda rng: (BASELINE, "/api/"),
            )
        )
        mix = asyncio.run(run_phase(Phase("mix", args.seconds), port, args.clients, choose))
    finally:
        stop(server)

    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = {
        "started": started,
        "clients": args.clients,
        "seconds": args.seconds,
        "baseline_seconds": args.baseline_seconds,
        "workers": args.workers,
        "threads": args.threads,
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "weights": weights,
    }
    figures, text = report(config, baseline, mix)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = RESULTS_DIR / f"bench-{started.replace(':', '')}"
    stem.with_suffix(".json").write_text(json.dumps(figures, indent=2) + "\n")
    stem.with_suffix(".txt").write_text(text + "\n")
    print(text)
    print(f"\nWritten: {stem.with_suffix('.json').relative_to(BASE_DIR)} and .txt")
    return 0 if not baseline.errors and not mix.errors else 1


if __name__ == "__main__":
    sys.exit(main())
