"""Claimbase against Datasette and a raw-SQL floor on the same synthetic corpus.

    .venv/bin/python -m bench.compare --size M --engine sqlite      (make bench-compare)

1. The corpus (bench/corpus.py) in a SQLite file under var/bench/ (always: Datasette reads
   it) and, for --engine postgres, in the database cbbench_<size>; built once per size and
   seed, migrated on every run.
2. Datasette 0.65.5 in its own virtualenv under var/bench/ (pip), over a copy of the SQLite
   file with an FTS5 index on the claims' quote and paraphrase, `--immutable`,
   `--setting suggest_facets off`, time limits raised so it answers every case.
3. Each case's SQL captured once through Django (bench/capture.py), for the floor.
4. Three servers on 127.0.0.1: Claimbase under gunicorn (2 sync workers, DEBUG off), the
   floor (bench/floor.py) under the same gunicorn settings, Datasette.
5. Per case, rounds of one request to each server in rotating order (a new connection per
   request, the whole answer read); medians, the per-round ratios' bootstrap 95% interval,
   bytes and queries per request. Then requests per second with --clients concurrent
   clients on the throughput cases, and the import (bench/importing.py).
6. bench/results/<size>-<engine>.json and .md.
"""

import argparse
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from bench import stats
from bench.cases import CASES, Case
from bench.corpus import SEED, SIZES, fingerprint

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only
DATASETTE_VERSION = "0.65.5"
SERVERS = ("claimbase", "datasette", "floor")
POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--samples", type=int, default=200, help="most rounds per case")
    parser.add_argument(
        "--case-seconds",
        type=float,
        default=60.0,
        help="time budget per case: a slow case gets fewer rounds (but --min-samples)",
    )
    parser.add_argument("--min-samples", type=int, default=5, help="fewest rounds per case")
    parser.add_argument("--cases", default="", help="comma-separated case names (default all)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--throughput-seconds", type=float, default=5.0)
    parser.add_argument("--import-claims", type=int, default=2000, help="0 skips the import")
    parser.add_argument("--no-datasette", action="store_true", help="leave Datasette out")
    parser.add_argument(
        "--datasette-venv", type=Path, help="default: var/bench/datasette-venv (made with pip)"
    )
    parser.add_argument("--postgres-url", default="", help="default: cbbench_<size>")
    parser.add_argument("--var-dir", type=Path, default=BASE_DIR / "var" / "bench")
    parser.add_argument("--out-dir", type=Path, default=BASE_DIR / "bench" / "results")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the cases, throughput and import this run leaves out from the existing file",
    )
    args = parser.parse_args(argv)
    if args.size == "L" and args.engine != "postgres":
        parser.error("size L runs on PostgreSQL only (--engine postgres)")
    return args


# --- environment ------------------------------------------------------------------------


def django_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},localhost,testserver",
        THROTTLE_ANON="100000000/min",
        THROTTLE_USER="100000000/min",
        THROTTLE_READER="100000000/min",
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(BASE_DIR),
        # Read-only load: per-process caches of counts and facets cannot go stale here.
        CACHE_DERIVED_DATA="1",
    )
    return env


def run_python(args: list[str], env: dict) -> None:
    subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=env, check=True)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def ensure_sqlite_corpus(args) -> Path:
    path = args.var_dir / f"corpus-{args.size}.sqlite3"
    marker = path.with_suffix(".fingerprint")
    wanted = fingerprint(SIZES[args.size], args.seed)
    env = django_env(sqlite_url(path))
    if path.exists() and marker.exists() and marker.read_text() == wanted:
        run_python(["manage.py", "migrate", "--noinput", "-v", "0"], env)
        return path
    path.unlink(missing_ok=True)
    marker.unlink(missing_ok=True)
    log(f"building corpus {args.size} in SQLite")
    run_python(["-m", "bench.corpus", args.size, "--seed", str(args.seed)], env)
    marker.write_text(wanted)
    return path


def ensure_postgres_corpus(args) -> str:
    import psycopg

    url = args.postgres_url or f"postgres://postgres@127.0.0.1:5432/cbbench_{args.size.lower()}"
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    marker = args.var_dir / f"{name}.fingerprint"
    wanted = fingerprint(SIZES[args.size], args.seed)
    env = django_env(url)
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and marker.exists() and marker.read_text() == wanted:
            run_python(["manage.py", "migrate", "--noinput", "-v", "0"], env)
            # A migration may have filled a column (a search vector): plan with fresh statistics.
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("ANALYZE")
            return url
        marker.unlink(missing_ok=True)
        if exists:
            admin.execute(f'DROP DATABASE "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    log(f"building corpus {args.size} in PostgreSQL ({name})")
    run_python(["-m", "bench.corpus", args.size, "--seed", str(args.seed)], env)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    marker.write_text(wanted)
    return url


def ensure_datasette(args) -> Path | None:
    """Datasette's own virtualenv; None (and a reason in the log) when it cannot be made."""
    venv = args.datasette_venv or args.var_dir / "datasette-venv"
    binary = venv / "bin" / "datasette"
    stamp = venv / f".datasette-{DATASETTE_VERSION}"
    if stamp.exists():
        return binary
    log(f"creating {venv} with datasette=={DATASETTE_VERSION}")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", f"datasette=={DATASETTE_VERSION}"],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        log("datasette could not be installed: " + installed.stderr.strip()[-500:])
        return None
    stamp.touch()
    return binary


def datasette_copy(args, corpus: Path) -> Path:
    """A copy of the corpus named cb.db with FTS5 on the claims (rebuilt with the corpus).

    The benchmark's import case writes to the corpus and deletes what it wrote, so the
    copy follows the corpus's fingerprint, not its modification time."""
    directory = args.var_dir / f"datasette-{args.size}"
    copy = directory / "cb.db"
    marker = directory / "cb.fingerprint"
    wanted = corpus.with_suffix(".fingerprint").read_text()
    if copy.exists() and marker.exists() and marker.read_text() == wanted:
        return copy
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / "cb.db.partial"
    shutil.copyfile(corpus, partial)
    with sqlite3.connect(partial) as db:
        db.execute("DROP TABLE IF EXISTS claims_claim_fts")
        db.execute(
            'CREATE VIRTUAL TABLE claims_claim_fts USING fts5(quote, paraphrase, content="claims_claim", content_rowid="id")'
        )
        db.execute(
            "INSERT INTO claims_claim_fts (rowid, quote, paraphrase) SELECT id, quote, paraphrase FROM claims_claim"
        )
    with sqlite3.connect(partial) as db:
        db.execute("VACUUM")
    partial.replace(copy)
    marker.write_text(wanted)
    return copy


# --- servers ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start(command: list[str], env: dict, port: int, log_path: Path) -> subprocess.Popen:
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{command[0]} exited with {process.returncode}: see {log_path}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit(f"{command[0]} did not start within 60 s: see {log_path}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def gunicorn(app: str, port: int) -> list[str]:
    return [
        str(Path(sys.executable).parent / "gunicorn"),
        app,
        "--bind", f"{HOST}:{port}",
        "--workers", "2",
        "--timeout", "300",
        "--log-level", "warning",
        "--no-control-socket",
    ]  # fmt: skip


def start_servers(args, database_url, replay, datasette, copy) -> dict:
    servers = {}
    env = django_env(database_url)
    port = free_port()
    servers["claimbase"] = (
        start(gunicorn("config.wsgi", port), env, port, args.var_dir / "claimbase.log"),
        port,
    )
    port = free_port()
    floor_env = dict(env, BENCH_REPLAY=str(replay))
    servers["floor"] = (
        start(gunicorn("bench.floor:app", port), floor_env, port, args.var_dir / "floor.log"),
        port,
    )
    if datasette is not None:
        port = free_port()
        command = [
            str(datasette), "serve", "-i", str(copy),
            "--host", HOST, "--port", str(port),
            "--setting", "suggest_facets", "off",
            "--setting", "sql_time_limit_ms", "120000",
            "--setting", "facet_time_limit_ms", "120000",
        ]  # fmt: skip
        servers["datasette"] = (start(command, {}, port, args.var_dir / "datasette.log"), port)
    return servers


# --- measuring --------------------------------------------------------------------------


def get(port: int, path: str) -> tuple[int, int, float]:
    """One GET on a new connection: status, bytes of the body, seconds to the last byte."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=300)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, len(body), time.perf_counter() - started


def targets(case: Case, context: dict, servers: dict) -> dict[str, tuple[int, str]]:
    paths = case.paths(context)
    found = {"claimbase": (servers["claimbase"][1], paths["claimbase"])}
    found["floor"] = (servers["floor"][1], "/" + case.name)
    if paths["datasette"] and "datasette" in servers:
        found["datasette"] = (servers["datasette"][1], paths["datasette"])
    return found


def measure_case(case: Case, context: dict, servers: dict, args) -> dict:
    """Rounds of one request per server in rotating order, until --samples rounds or
    --case-seconds have passed (whichever comes first), but at least --min-samples."""
    where = targets(case, context, servers)
    names = list(where)
    for name in names:  # warm up: caches, connections, imports
        get(*where[name])
    times = {name: [] for name in names}
    sizes = {name: [] for name in names}
    statuses = {name: set() for name in names}
    started = time.perf_counter()
    rounds = 0
    while rounds < args.samples and (
        rounds < args.min_samples or time.perf_counter() - started < args.case_seconds
    ):
        order = names[rounds % len(names) :] + names[: rounds % len(names)]
        for name in order:
            status, size, seconds = get(*where[name])
            times[name].append(seconds)
            sizes[name].append(size)
            statuses[name].add(status)
        rounds += 1
    log(f"{case.name}: {rounds} rounds")
    result = {"rounds": rounds, "paths": {name: where[name][1] for name in names}, "servers": {}}
    for name in names:
        result["servers"][name] = {
            "median_ms": 1000 * stats.median(times[name]),
            "bytes": int(stats.median(sizes[name])),
            "statuses": sorted(statuses[name]),
        }
    for other in ("datasette", "floor"):
        if other in times:
            result[f"ratio_{other}"] = stats.bootstrap_ratio(times["claimbase"], times[other])
    return result


def throughput(port: int, path: str, clients: int, seconds: float) -> dict:
    done = [0] * clients
    errors = [0] * clients
    stop_at = time.monotonic() + seconds

    def client(number: int) -> None:
        while time.monotonic() < stop_at:
            try:
                status, _, _ = get(port, path)
            except OSError:
                errors[number] += 1
                continue
            if status == 200:
                done[number] += 1
            else:
                errors[number] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"requests_per_second": sum(done) / elapsed, "errors": sum(errors)}


# --- report -----------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True
    )
    return found.stdout.strip() or "unknown"


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def ratio(value: dict | None) -> str:
    if not value:
        return "–"
    return f"{value['median']:.2f}× [{value['low']:.2f}–{value['high']:.2f}]"


def markdown(result: dict) -> str:
    meta = result["meta"]
    lines = [
        f"# Claimbase benchmark: size {meta['size']}, {meta['engine']}",
        "",
        f"- date: {meta['date']}; commit {meta['commit']}",
        f"- machine: {meta['machine']['cpu']}, {meta['machine']['cpus']} CPUs, "
        f"{meta['machine']['system']}, Python {meta['machine']['python']}",
        f"- command: `{meta['command']}`",
        f"- corpus: {meta['corpus']}",
        f"- rounds per case: up to {meta['samples']}, as many as fit in {meta['case_seconds']:.0f} s "
        f"(at least {meta['min_samples']}; the rounds column); one request to each server per "
        "round, rotating order, a new connection each",
        "- CB = Claimbase (gunicorn, 2 sync workers); DS = Datasette "
        f"{DATASETTE_VERSION} (--immutable, FTS5); floor = the same SQL with plain "
        f"{'sqlite3' if meta['engine'] == 'sqlite' else 'psycopg'} under the same gunicorn",
        "- ratios: median of per-round CB/other time, bootstrap 95% interval in brackets",
        "- cold ms: Claimbase's first request for the case, in-process through Django's test "
        "client, before any cache held its answer (queries and the floor are the second's)",
        "",
        "| case | CB ms | DS ms | floor ms | CB / DS | CB / floor | CB bytes | DS bytes | queries | rounds | cold ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        row = result["cases"].get(case.name)
        if row is None:
            continue
        servers = row["servers"]
        lines.append(
            "| {title} | {cb} | {ds} | {fl} | {rds} | {rfl} | {cbb} | {dsb} | {q} | {r} | {c} |".format(
                title=case.title,
                cb=ms(servers["claimbase"]["median_ms"]),
                ds=ms(servers.get("datasette", {}).get("median_ms")),
                fl=ms(servers["floor"]["median_ms"]),
                rds=ratio(row.get("ratio_datasette")),
                rfl=ratio(row.get("ratio_floor")),
                cbb=f"{servers['claimbase']['bytes']:,}",
                dsb=f"{servers['datasette']['bytes']:,}" if "datasette" in servers else "–",
                q=row["queries"],
                r=row["rounds"],
                c=ms(row.get("cold_ms")),
            )
        )
    if result.get("throughput"):
        lines += [
            "",
            f"Requests per second with {meta['clients']} concurrent clients "
            f"({meta['throughput_seconds']:.0f} s each):",
            "",
            "| case | CB | DS | floor |",
            "|---|---|---|---|",
        ]
        for name, row in result["throughput"].items():
            cells = [
                f"{row[s]['requests_per_second']:.1f}" if s in row else "–"
                for s in ("claimbase", "datasette", "floor")
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if result.get("import"):
        lines += [
            "",
            "Import:",
            "",
            "| method | objects | seconds | objects/s |",
            "|---|---|---|---|",
        ]
        for row in result["import"]["methods"]:
            if "error" in row:
                lines.append(f"| {row['method']} | failed: {row['error'][-200:]} | | |")
                continue
            lines.append(
                f"| {row['method']} | {row['objects']:,} | {row['seconds']:.1f} | "
                f"{row['objects'] / row['seconds']:,.0f} |"
            )
    notes = list(result.get("notes") or [])
    counted = [name for name, row in result["cases"].items() if row.get("has_count")]
    if counted:
        notes.append("JSON answers that carry a total count: " + ", ".join(counted) + ".")
    if notes:
        lines += ["", "Notes:", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def merge(result: dict, previous: dict) -> None:
    """Keep what this run did not measure from the previous result file, saying so."""
    earlier = f"{previous['meta']['date']}, commit {previous['meta']['commit']}"
    kept = []
    for name, row in previous["cases"].items():
        if name not in result["cases"]:
            row.setdefault("measured", earlier)
            result["cases"][name] = row
            kept.append(name)
    result["cases"] = {c.name: result["cases"][c.name] for c in CASES if c.name in result["cases"]}
    for name, row in (previous.get("throughput") or {}).items():
        if name not in result["throughput"]:
            result["throughput"][name] = row
            kept.append(f"throughput of {name}")
    if not result["import"] and previous.get("import"):
        result["import"] = previous["import"]
        kept.append("import")
    if kept:
        result["notes"].append(f"From the earlier run ({earlier}): {', '.join(kept)}.")


# --- main -------------------------------------------------------------------------------


# Options whose value is a path of the machine that ran the harness: left out of the
# command the results record (they are committed).
PATH_OPTIONS = ("--out-dir", "--var-dir", "--datasette-venv", "--postgres-url")


def public_arguments(arguments: list[str]) -> list[str]:
    kept, skip = [], False
    for argument in arguments:
        if skip:
            skip = False
        elif argument in PATH_OPTIONS:
            skip = True
        elif not argument.startswith(tuple(option + "=" for option in PATH_OPTIONS)):
            kept.append(argument)
    return kept


def main(argv=None) -> dict:
    args = parse_args(argv)
    version = commit()  # at the start: the code the servers run
    args.var_dir.mkdir(parents=True, exist_ok=True)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    notes = []
    corpus = ensure_sqlite_corpus(args)
    database_url = ensure_postgres_corpus(args) if args.engine == "postgres" else sqlite_url(corpus)
    datasette = None
    if not args.no_datasette:
        datasette = ensure_datasette(args)
        if datasette is None:
            notes.append("Datasette could not be installed (see the log); its columns are empty.")
    copy = datasette_copy(args, corpus) if datasette else None

    replay = args.var_dir / f"replay-{args.size}-{args.engine}.json"
    run_python(
        ["-m", "bench.capture", str(replay)], dict(django_env(database_url), BENCH_CASES=args.cases)
    )
    captured = json.loads(replay.read_text())
    context = captured["context"]
    wanted = [name for name in args.cases.split(",") if name]
    cases = [case for case in CASES if not wanted or case.name in wanted]
    for case in cases:
        if not case.available(context):
            notes.append(f"{case.name}: not run, this version has no {case.needs}.")
    cases = [case for case in cases if case.available(context)]

    servers = start_servers(args, database_url, replay, datasette, copy)
    results = {}
    throughput_results = {}
    try:
        for case in cases:
            row = measure_case(case, context, servers, args)
            row["queries"] = captured["cases"][case.name]["queries"]
            row["has_count"] = captured["cases"][case.name]["has_count"]
            row["cold_ms"] = captured["cases"][case.name].get("cold_ms")
            results[case.name] = row
        for case in cases:
            if not case.throughput or args.throughput_seconds <= 0:
                continue
            log(f"{case.name}: throughput, {args.clients} clients")
            throughput_results[case.name] = {
                name: throughput(port, path, args.clients, args.throughput_seconds)
                for name, (port, path) in targets(case, context, servers).items()
            }
    finally:
        for process, _ in servers.values():
            stop(process)

    import_result = None
    if args.import_claims > 0:
        from bench import importing

        log(f"import of {args.import_claims} claims")
        import_result = importing.run(args, database_url, django_env(database_url))

    size = SIZES[args.size]
    result = {
        "meta": {
            "size": args.size,
            "engine": args.engine,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": version,
            "machine": machine(),
            "command": "python -m bench.compare "
            + " ".join(public_arguments(argv or sys.argv[1:])),
            "corpus": f"{size.documents} documents, {size.claims:,} claims, "
            f"{size.sources:,} sources, {size.evidence:,} evidence (seed {args.seed}); "
            f"largest document {context['document_claims']:,} claims",
            "samples": args.samples,
            "min_samples": args.min_samples,
            "case_seconds": args.case_seconds,
            "clients": args.clients,
            "throughput_seconds": args.throughput_seconds,
            "context": context,
        },
        "cases": results,
        "throughput": throughput_results,
        "import": import_result,
        "notes": notes,
    }
    stem = args.out_dir / f"{args.size}-{args.engine}"
    if args.merge and stem.with_suffix(".json").exists():
        merge(result, json.loads(stem.with_suffix(".json").read_text()))
    stem.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    stem.with_suffix(".md").write_text(markdown(result))
    log(f"wrote {stem}.md and .json")
    return result


if __name__ == "__main__":
    main()
