"""`make bench-nlu`: both NLU backends on the same cross-validation folds, in one run.

Prints macro-F1, accuracy, repair-category accuracy, parse latency p50/p99 (per message the median
of three parses, entities included; over HTTP for Rasa) and resident memory (the embedded model in
a fresh process; the Rasa server's own process). The last line reads
`bench-nlu: embedded macroF1 A p99 B ms; rasa macroF1 C p99 D ms`.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nlu import rasa_runtime
from nlu.evaluation import Report, cross_validate, embedded_trainer, folds, format_report, percentile
from nlu.settings import DATA_PATH
from nlu.training_data import load_training_data

# Run in a fresh interpreter: what a bot process pays to load the cached embedded model.
_EMBEDDED_PROBE = """
import json, time, resource
started = time.perf_counter()
from nlu import NluSettings, build_interpreter
interpreter = build_interpreter(NluSettings(cache_dir={cache_dir!r}))
interpreter.parse("电梯坏了")
loaded = time.perf_counter() - started
rss = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])
print(json.dumps({{"load_seconds": loaded, "rss_kb": rss}}))
"""


def rss_kb(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0])
    except (OSError, IndexError, ValueError):
        return None


def summary(name: str, report: Report, rss: int | None, extra: str = "") -> dict:
    latencies = report.latencies_ms()
    row = {
        "backend": name,
        "macro_f1": report.macro_f1,
        "accuracy": report.accuracy,
        "category_accuracy": report.category_accuracy,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "rss_mb": rss / 1024 if rss else None,
    }
    rss_text = f"{row['rss_mb']:.0f} MB" if rss else "n/a"
    print(
        f"{name:9} macroF1 {row['macro_f1']:.3f}  accuracy {row['accuracy']:.3f}  category {row['category_accuracy']:.3f}  "
        f"p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms  RSS {rss_text}{extra}",
        flush=True,
    )
    return row


def bench_embedded(data, k: int, verbose: bool) -> dict:
    from nlu.entities import extract_time

    extract_time("明天下午三点")  # import jionlp once, as a running bot has
    report = cross_validate(data, embedded_trainer, k, repeats=3)
    if verbose:
        print(format_report(report, "embedded"), flush=True)
    with_cache = Path(rasa_runtime.cache_root()) / "bench-embedded-cache"
    command = [sys.executable, "-c", _EMBEDDED_PROBE.format(cache_dir=str(with_cache))]
    subprocess.run(command, capture_output=True, text=True)  # trains and caches the full model if needed
    probe = subprocess.run(command, capture_output=True, text=True)
    loaded = json.loads(probe.stdout) if probe.returncode == 0 else {}
    extra = f"  load {loaded['load_seconds'] * 1000:.0f} ms (cached model)" if loaded else ""
    return summary("embedded", report, loaded.get("rss_kb"), extra)


def bench_rasa(data, k: int, verbose: bool) -> dict | None:
    from nlu.rasa_evaluation import RasaFolds

    if rasa_runtime.find_python310() is None and not rasa_runtime.venv_ready():
        print("rasa      跳过：没有 Python 3.10（Rasa 3.6 需要它）", flush=True)
        return None
    progress = lambda message: print(message, flush=True)  # noqa: E731
    with RasaFolds(progress=progress) as rasa:
        # Train every fold first, two at a time (one per core); cached by the fold's data hash.
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(rasa.model_for, [train for train, _ in folds(data, k)]))
        print(f"rasa：{k} 折模型就绪，用时 {time.monotonic() - started:.0f} s", flush=True)
        report = cross_validate(data, rasa.trainer, k, repeats=3)
        rss = rss_kb(rasa.server_pid) if rasa.server_pid else None
    if verbose:
        print(format_report(report, "rasa"), flush=True)
    return summary("rasa", report, rss)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark both NLU backends on the same folds")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--skip-rasa", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print the full evaluation reports")
    args = parser.parse_args(argv)
    data = load_training_data(DATA_PATH)
    print(f"bench-nlu: {len(data.examples)} examples, {args.folds} stratified folds (seed fixed)", flush=True)
    embedded = bench_embedded(data, args.folds, args.verbose)
    rasa = None if args.skip_rasa else bench_rasa(data, args.folds, args.verbose)
    rasa_text = f"rasa macroF1 {rasa['macro_f1']:.3f} p99 {rasa['p99_ms']:.1f} ms" if rasa else "rasa macroF1 n/a p99 n/a ms"
    print(f"bench-nlu: embedded macroF1 {embedded['macro_f1']:.3f} p99 {embedded['p99_ms']:.2f} ms; {rasa_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
