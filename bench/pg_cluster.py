"""A throwaway PostgreSQL cluster for benchmarks: initdb a temporary folder, serve it on 127.0.0.1.

    with PgCluster() as cluster:        # trust auth, a free port, deleted afterwards
        url = cluster.url               # postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
        cluster.stop(); cluster.start() # a database outage on demand (pg_ctl stop -m fast)

Uses Debian's server binaries (/usr/lib/postgresql/<version>/bin, newest first;
``PG_BIN`` overrides). As root, initdb and the server run as the ``postgres``
user (PostgreSQL refuses to run as root). The cluster is stopped and its
folder deleted when the ``with`` block ends, also on Ctrl-C, SIGTERM or an
error; ``atexit`` is the last resort.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType


def pg_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (set PG_BIN)")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PgCluster:
    def __init__(self, port: int | None = None) -> None:
        self.bin = pg_bin()
        self.port = port or free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="kbbot-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._as: list[str] = []
        if os.geteuid() == 0:
            self._as = ["runuser", "-u", "postgres", "--"]
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self._initialised = False

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str, timeout: float = 60) -> None:
        result = subprocess.run([*self._as, *command], capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:2])} failed: {result.stderr[-1500:]}{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return "\n" + self.log.read_text()[-1500:]
        except OSError:
            return ""

    def init(self) -> PgCluster:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--no-instructions", "--no-sync")
        self._initialised = True
        return self

    def start(self) -> None:
        # fsync off: a clean fast stop loses nothing without it; it only matters if the machine crashes.
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
                   f"-c max_connections=100")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self._initialised and self.running():
            try:
                self.stop("fast")
            except Exception:  # noqa: BLE001 - last resort: the postmaster's pid from its pid file
                try:
                    pid = int((self.data / "postmaster.pid").read_text().split()[0])
                    os.kill(pid, signal.SIGQUIT)
                    time.sleep(1)
                except (OSError, ValueError, IndexError):
                    pass
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        atexit.register(self.destroy)
        previous = signal.getsignal(signal.SIGTERM)
        if previous in (signal.SIG_DFL, None):
            # SIGTERM ends the benchmark through the same finally blocks as Ctrl-C.
            signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        try:
            self.init()
            self.start()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.destroy()
        atexit.unregister(self.destroy)


if __name__ == "__main__":
    with PgCluster() as cluster:
        print(cluster.url, cluster.bin)
        cluster.stop()
        cluster.start()
        print("restarted; running:", cluster.running())
