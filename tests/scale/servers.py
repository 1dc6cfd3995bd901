"""Real servers for the scale tests: a PostgreSQL primary with a streaming standby, PgBouncer,
and Claimbase under gunicorn, all on free loopback ports in a temporary directory.

Nothing here touches the machine's own PostgreSQL cluster. PostgreSQL and PgBouncer refuse
to run as root, so when the tests run as root the servers run as the `postgres` system user
(`runuser`). Every helper raises `Unavailable` with the reason when something it needs is
missing, and the tests skip with that reason.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[2]


class Unavailable(Exception):
    """What these servers need is not on this machine (the message says what)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise Unavailable("the PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are missing")
    return Path(found[-1]).parent


def _as_server_user(command: list[str]) -> list[str]:
    """Run as `postgres` when we are root (the servers refuse root)."""
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam("postgres")
    except KeyError as error:
        raise Unavailable("running as root and there is no `postgres` system user") from error
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        _as_server_user(command), check=True, capture_output=True, text=True, **kwargs
    )


def _owned_tempdir(prefix: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(path, entry.pw_uid, entry.pw_gid)
    path.chmod(0o700)
    return path


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class PostgresPair:
    """A primary made with initdb and a streaming standby of it (pg_basebackup -R)."""

    base: Path
    bin: Path
    primary_port: int = field(default_factory=free_port)
    standby_port: int = field(default_factory=free_port)
    database: str = "claimbase"

    @property
    def primary_dir(self) -> Path:
        return self.base / "primary"

    @property
    def standby_dir(self) -> Path:
        return self.base / "standby"

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{self.database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def standby_url(self) -> str:
        return self.url(self.standby_port)

    def start(self) -> None:
        _run([str(self.bin / "initdb"), "-D", str(self.primary_dir), "-U", "postgres",
              "--auth=trust", "-E", "UTF8", "--locale=C"])  # fmt: skip
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.base}'",
            "wal_level": "replica",
            "max_wal_senders": "4",
            "hot_standby": "on",
            "timezone": "'UTC'",
            # A throwaway cluster: durability is not the point, speed is.
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
        }
        with open(self.primary_dir / "postgresql.conf", "a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        (self.primary_dir / "pg_hba.conf").write_text(
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\n"
            "host replication all 127.0.0.1/32 trust\n"
        )
        self._ctl(self.primary_dir, self.primary_port, "start")
        self.sql(self.primary_port, f"CREATE DATABASE {self.database}", database="postgres")
        _run([str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port),
              "-U", "postgres", "-D", str(self.standby_dir), "-R", "-X", "stream"])  # fmt: skip
        self.start_standby()

    def start_standby(self) -> None:
        self._ctl(self.standby_dir, self.standby_port, "start")

    def stop_standby(self) -> None:
        self._ctl(self.standby_dir, self.standby_port, "stop", "-m", "fast")

    def _ctl(self, data_dir: Path, port: int, action: str, *extra: str) -> None:
        command = [str(self.bin / "pg_ctl"), "-D", str(data_dir), "-w", "-t", "60",
                   "-l", str(data_dir) + ".log", action, *extra]  # fmt: skip
        if action == "start":
            command += ["-o", f"-p {port}"]
        _run(command)

    def sql(self, port: int, statement: str, database: str | None = None):
        with psycopg.connect(
            f"host=127.0.0.1 port={port} user=postgres dbname={database or self.database}",
            autocommit=True,
        ) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchall() if cursor.description else None

    def wait_for_standby(self, timeout: float = 30.0) -> None:
        """Until the standby has replayed everything the primary has written so far."""
        target = self.sql(self.primary_port, "SELECT pg_current_wal_lsn()::text")[0][0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(psycopg.Error):
                done = self.sql(
                    self.standby_port,
                    f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn",
                    database="postgres",
                )[0][0]
                if done:
                    return
            time.sleep(0.1)
        raise TimeoutError("the standby did not catch up")

    def stop(self) -> None:
        for data_dir in (self.standby_dir, self.primary_dir):
            if (data_dir / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.CalledProcessError):
                    _run([str(self.bin / "pg_ctl"), "-D", str(data_dir), "stop", "-m",
                          "immediate"])  # fmt: skip
        shutil.rmtree(self.base, ignore_errors=True)


@contextlib.contextmanager
def postgres_pair():
    pair = PostgresPair(base=_owned_tempdir("cb-pg-"), bin=postgres_bin())
    try:
        pair.start()
        yield pair
    finally:
        pair.stop()


@contextlib.contextmanager
def pgbouncer(target_port: int, database: str):
    """PgBouncer in transaction mode in front of 127.0.0.1:target_port."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        raise Unavailable(
            "pgbouncer is not installed (Debian package pgbouncer; .ci/run installs it)"
        )
    base = _owned_tempdir("cb-pgbouncer-")
    port = free_port()
    (base / "users.txt").write_text('"postgres" ""\n')
    (base / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{database} = host=127.0.0.1 port={target_port} dbname={database}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {base / 'users.txt'}\n"
        "pool_mode = transaction\n"
        "default_pool_size = 4\nmax_client_conn = 100\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {base / 'pgbouncer.log'}\npidfile = {base / 'pgbouncer.pid'}\n"
    )
    for path in base.iterdir():
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(path, entry.pw_uid, entry.pw_gid)
    process = subprocess.Popen(_as_server_user([binary, str(base / "pgbouncer.ini")]))
    try:
        wait_for_port(port)
        yield port
    finally:
        # runuser does not pass a signal on to its child: stop PgBouncer by its own pid.
        _stop_by_pidfile(base / "pgbouncer.pid")
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
        if process.poll() is None:
            process.kill()
        shutil.rmtree(base, ignore_errors=True)


def _stop_by_pidfile(pidfile: Path, timeout: float = 10.0) -> None:
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)


def manage(*args: str, env: dict[str, str]) -> str:
    """Run manage.py in a fresh process with these settings (environment)."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int = 2):
    """Claimbase under gunicorn on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=REPO,
        env={**os.environ, **env},
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def app_env(**overrides: str) -> dict[str, str]:
    """Settings shared by the servers of one test: same secret, hosts, no TLS."""
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "scale-tests-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_ROUTE_HEADER": "1",
        "LOG_LEVEL": "ERROR",
    }
    env.update(overrides)
    return env
