"""Real `linli` processes for tests and benchmarks: started with their own environment, watched
through their log, ended by PID (never by name)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class LinliProcess:
    def __init__(self, args: list[str], env: dict[str, str]):
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    def log_contains(self, needle: str) -> bool:
        with self._lock:
            return any(needle in line for line in self.lines)

    def wait_for_log(self, needle: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log_contains(needle):
                return True
            if self.process.poll() is not None:
                return self.log_contains(needle)
            time.sleep(0.1)
        return False

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, as when a machine dies."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 15) -> int:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode

    def output(self) -> str:
        with self._lock:
            return "\n".join(self.lines)


def linli_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "LINLI_"))}
    env.update(
        LINLI_DATABASE_URL=database_url, LINLI_VAR_DIR=str(var_dir), PYTHONPATH=str(ROOT),
        LINLI_SECRET_KEY="test-secret-key", WECHAT_TOKEN="test-token",
    )
    env.update(extra)
    return env
