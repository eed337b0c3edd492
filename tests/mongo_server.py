"""An nx-27017 server (MongoDB wire protocol over SQLite) that tests can start and stop."""

from __future__ import annotations

import atexit
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NxServer:
    """Runs nx-27017 on a free port over a SQLite file that survives stop/start."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def start(self) -> None:
        self.stop()  # never two servers on one port (or one left behind)
        executable = Path(sys.executable).parent / "nx-27017"
        command = [
            str(executable),
            "--db", str(self.workdir / "nx.db"),
            "--port", str(self.port),
            "--log-file", str(self.workdir / "nx.log"),
            "--pid-file", str(self.workdir / "nx.pid"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(self.stop)  # even if the test run is interrupted
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nx-27017 exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nx-27017 did not start listening within 20 s")

    def stop(self) -> None:
        """Kill it, as a crash would (no clean shutdown)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
