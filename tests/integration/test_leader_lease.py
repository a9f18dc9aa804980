"""Only one scheduler leads at a time; a standby takes over when the leader's lease runs out."""
from __future__ import annotations

import subprocess
import sys

from bot.leader import LeaderLease


def lease(services, **kwargs) -> LeaderLease:
    return LeaderLease(services.session_factory, services.clock, ttl_seconds=30, **kwargs)


def test_a_second_scheduler_waits_while_the_first_holds_the_lease(services):
    first, second = lease(services), lease(services)

    assert first.acquire() is True
    assert second.acquire() is False
    assert first.acquire() is True  # renewing


def test_the_standby_takes_over_when_the_leader_stops_renewing(services, clock):
    first, second = lease(services), lease(services)
    first.acquire()

    clock.advance(seconds=31)

    assert second.acquire() is True
    assert first.acquire() is False


def test_a_released_lease_is_free_at_once(services):
    first, second = lease(services), lease(services)
    first.acquire()
    first.release()

    assert second.acquire() is True


def test_a_lease_left_by_a_dead_process_on_this_machine_is_taken_at_once(services):
    import socket

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    ghost = lease(services)
    ghost.holder = f"{socket.gethostname()}:{dead.stdout.strip()}:deadbeef"
    assert ghost.acquire() is True

    assert lease(services).acquire() is True
