"""The `linli` command as a newcomer uses it: upgrade, seed, run, chat, and cases as JSON."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
LINLI = [sys.executable, "-m", "bot.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cli_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECHAT_", "LINLI_"))}
    env.update(
        LINLI_DATABASE_URL=f"sqlite:///{tmp_path / 'linli.db'}",
        LINLI_VAR_DIR=str(tmp_path / "var"),
        PORT=str(free_port()),
        PYTHONPATH=str(ROOT),
    )
    return env


def linli(env, *args, input_text: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*LINLI, *args], cwd=ROOT, env=env, input=input_text, capture_output=True, text=True, timeout=timeout
    )


def test_db_upgrade_and_seed_each_work_on_their_own_and_seed_twice_changes_nothing(cli_env):
    upgraded = linli(cli_env, "db", "upgrade")
    first = linli(cli_env, "seed")
    second = linli(cli_env, "seed")

    assert upgraded.returncode == 0, upgraded.stderr
    assert first.returncode == 0 and "新增" in first.stdout
    assert second.returncode == 0 and "无需改动" in second.stdout


@pytest.fixture
def running_server(cli_env, interpreter):
    # `interpreter` trains the embedded model into the cache `linli run` reads (var/nlu-cache): on a fresh
    # clone the server would otherwise train it itself (about 6 s) inside the 90 s it is given to answer.
    assert linli(cli_env, "db", "upgrade").returncode == 0
    assert linli(cli_env, "seed").returncode == 0
    server = subprocess.Popen(
        [*LINLI, "run"], cwd=ROOT, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{cli_env['PORT']}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                break
        except requests.RequestException:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("linli run did not answer within 90 s: " + (server.stdout.read() if server.stdout else ""))
    yield base
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.mark.slow
@pytest.mark.parametrize("encrypt", [False, True], ids=["plain", "aes"])
def test_chat_plays_a_resident_and_a_worker_sees_the_push(running_server, cli_env, encrypt):
    flags = ["--encrypt"] if encrypt else []
    resident = linli(cli_env, "chat", "--as", "o_resident_demo", "--watch-seconds", "0", *flags,
                     input_text="3号楼2单元501厨房水管漏水\n1\n")  # which community
    assert resident.returncode == 0, resident.stderr
    assert "有几个社区都有3号楼" in resident.stdout and "R2026" in resident.stdout

    listed = linli(cli_env, "cases", "list", "--json")
    [case] = json.loads(listed.stdout)
    assert case["state"] == "dispatched" and case["assignee"]["openid"] == "o_xsj_eng1"

    # The in-process scheduler delivers the push within a few seconds (log sender: no credentials).
    worker = linli(cli_env, "chat", "--as", "o_xsj_eng1", "--watch-seconds", "6", input_text="")
    assert case["case_no"] in worker.stdout and "推送" in worker.stdout


def test_cases_show_prints_one_case_with_its_trail_as_json(running_server, cli_env):
    linli(cli_env, "chat", "--as", "o_resident_json", "--watch-seconds", "0", input_text="12号楼东单元电梯坏了\n")

    [case] = json.loads(linli(cli_env, "cases", "list", "--json").stdout)
    shown = json.loads(linli(cli_env, "cases", "show", case["case_no"], "--json").stdout)

    assert shown["case_no"] == case["case_no"]
    for key in ("case_no", "kind", "state", "category", "grid", "reporter", "assignee", "rating", "events"):
        assert key in shown
    assert shown["reporter"]["openid"] == "o_resident_json" and shown["rating"] is None
    assert set(shown["assignee"]) >= {"openid", "name", "team"}
    assert [e["step"] for e in shown["events"]] == ["信息上报", "核实立案", "分流交办"]
    assert all(set(e) >= {"at", "step", "from", "to", "by", "note"} for e in shown["events"])


def test_cases_show_for_an_unknown_number_says_so(cli_env):
    linli(cli_env, "db", "upgrade")

    result = linli(cli_env, "cases", "show", "R20991231-9999", "--json")

    assert result.returncode == 1 and "没有工单" in result.stderr
