"""A job the scheduler tests can schedule by name and observe."""
from __future__ import annotations

import threading

runs: list[str] = []
ran = threading.Event()


def record(label: str = "ran") -> None:
    runs.append(label)
    ran.set()
