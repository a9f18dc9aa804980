"""bench-scheduler: 10,000 reminders falling due within one minute, sent by a real `linli scheduler`
process to the local WeChat API stand-in (real HTTP).

Two runs on fresh databases in the same invocation: a baseline that runs undisturbed, and one whose
scheduler is killed with SIGKILL mid-run and restarted. For each: delivered, lateness (stand-in
receive time minus due time), duplicates a resident would see (WeChat shows one message per
client_msg_id), raw re-sent requests, lost reminders, the scheduler's peak memory.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.migrate import upgrade  # noqa: E402
from tests.support.processes import LinliProcess, linli_env  # noqa: E402
from tests.support.reminders import load_reminders, outbox_ids_by_key, sent_count  # noqa: E402
from tests.support.wechat_api import WeChatApiStandIn  # noqa: E402


@dataclass
class RunResult:
    name: str
    total: int
    delivered: int
    lost: int
    duplicates: int
    resent: int
    lateness: list[float]
    peak_rss_mb: float
    wall_seconds: float

    @property
    def max_lateness(self) -> float:
        return max(self.lateness) if self.lateness else float("nan")

    def percentile(self, p: float) -> float:
        ordered = sorted(self.lateness)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(name: str, count: int, spread_s: float, kill_at_fraction: float | None, workdir: Path,
        database_url: str | None) -> RunResult:
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    upgrade(url)
    with WeChatApiStandIn() as api:
        first_due = datetime.now(timezone.utc) + timedelta(seconds=8)
        due_by_key = load_reminders(url, count, first_due=first_due, spread=timedelta(seconds=spread_s))
        env = linli_env(url, workdir / "var", WECHAT_APPID="wxbenchappid0001", WECHAT_SECRET="bench-secret",
                        WECHAT_API_BASE_URL=api.base_url)
        started = time.monotonic()
        process = LinliProcess(["scheduler"], env)
        peak = 0.0
        killed = kill_at_fraction is None
        deadline = started + spread_s + 240
        while time.monotonic() < deadline:
            peak = max(peak, rss_mb(process.process.pid))
            sent = sent_count(url)
            if not killed and sent >= count * kill_at_fraction:
                process.kill()
                print(f"  [{name}] SIGKILL after {sent} sent; restarting", flush=True)
                process = LinliProcess(["scheduler"], env)
                killed = True
            if sent >= count:
                break
            time.sleep(0.25)
        wall = time.monotonic() - started
        process.stop()

        keys = outbox_ids_by_key(url)
        arrivals: dict[str, list[float]] = defaultdict(list)
        for call in api.calls("message/template/send"):
            if call.body.get("_ok"):
                key = keys.get(int(call.body["client_msg_id"].rsplit("-", 1)[1]))
                arrivals[key].append(call.at)
        visible = {c.body["client_msg_id"] for c in api.delivered("message/template/send")}
    lateness = [min(times) - due_by_key[key].timestamp() for key, times in arrivals.items() if key in due_by_key]
    return RunResult(
        name=name, total=count, delivered=len([k for k in due_by_key if k in arrivals]),
        lost=len([k for k in due_by_key if k not in arrivals]),
        duplicates=sum(len(times) for times in arrivals.values()) - len(visible),
        resent=sum(len(times) - 1 for times in arrivals.values()),
        lateness=lateness, peak_rss_mb=peak, wall_seconds=wall,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which the reminders fall due")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="default: a fresh SQLite file per run (the embedded default)")
    args = parser.parse_args()

    results = []
    for name, kill in (("baseline", None), ("sigkill", 0.4)):
        with tempfile.TemporaryDirectory(prefix=f"linli-bench-{name}-") as tmp:
            url = args.database_url
            if url:
                from tests.support.databases import _admin, _with_database

                db = f"linli_bench_{name}_{os.getpid()}"
                _admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
                _admin(f"CREATE DATABASE {db}")
                url = _with_database(url, db)
            print(f"run {name}: {args.count} reminders due within {args.spread:.0f} s", flush=True)
            results.append(run(name, args.count, args.spread, kill, Path(tmp), url))
            if args.database_url:
                _admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    print()
    print(f"{'run':<10}{'delivered':>12}{'lost':>6}{'dupes':>7}{'resent':>8}{'p50 late s':>12}{'p99 late s':>12}"
          f"{'max late s':>12}{'peak RSS MB':>13}{'wall s':>8}")
    for r in results:
        print(f"{r.name:<10}{r.delivered:>7}/{r.total:<5}{r.lost:>5}{r.duplicates:>7}{r.resent:>8}"
              f"{r.percentile(0.5):>12.2f}{r.percentile(0.99):>12.2f}{r.max_lateness:>12.2f}"
              f"{r.peak_rss_mb:>13.1f}{r.wall_seconds:>8.1f}")
    base, killed = results
    ratio = killed.max_lateness / base.max_lateness if base.max_lateness else float("nan")
    print(f"max lateness with a SIGKILL mid-run vs baseline: {ratio:.2f}x; "
          f"median lateness {statistics.median(killed.lateness):.2f} s vs {statistics.median(base.lateness):.2f} s")
    worst = max(results, key=lambda r: r.max_lateness)
    delivered = min(r.delivered for r in results)
    print(f"bench-scheduler: delivered {delivered}/{args.count}, max lateness {worst.max_lateness:.1f} s, "
          f"duplicates {sum(r.duplicates for r in results)}, lost {sum(r.lost for r in results)}")
    ok = all(r.lost == 0 and r.duplicates == 0 and r.max_lateness <= 60 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
