"""`linli chat`: play a resident (or anyone) against a running server, without WeChat."""
from __future__ import annotations

import sys
import threading
import time
from urllib.parse import urlencode

import click
import requests

from bot.wechat_simulator import WeChatSimulator, http_transport, sign

HELP = (
    "直接输入文字发送。命令：/关注  /取消关注  /图片  /位置 纬度 经度  /点击 菜单KEY  /退出\n"
    "（英文也可：/sub /unsub /image /location LAT LNG /click KEY /quit）"
)


class PushWatcher:
    """Polls the server for pushes delivered to one openid and prints each once."""

    def __init__(self, base_url: str, token: str, openid: str):
        self.base_url, self.token, self.openid = base_url.rstrip("/"), token, openid
        self.last_id = 0
        self.lock = threading.Lock()

    def show_recent(self, count: int = 5) -> None:
        """Start with the last few pushes this person already got, then only new ones."""
        if self.poll(recent=count):
            click.echo(click.style("（以上是最近收到的推送）", fg="yellow"))

    def poll(self, *, show: bool = True, recent: int | None = None) -> int:
        timestamp, nonce = str(int(time.time())), "chat"
        params = {
            "openid": self.openid, "after": self.last_id, "timestamp": timestamp, "nonce": nonce,
            "signature": sign(self.token, timestamp, nonce),
        }
        if recent is not None:
            params["recent"] = recent
        query = urlencode(params)
        try:
            response = requests.get(f"{self.base_url}/dev/pushes?{query}", timeout=5)
            items = response.json().get("pushes", []) if response.ok else []
        except (requests.RequestException, ValueError):
            return 0
        with self.lock:
            for item in items:
                if item["id"] <= self.last_id:
                    continue
                self.last_id = item["id"]
                if show:
                    click.echo(click.style(format_push(item), fg="yellow"))
        return len(items)


def format_push(item: dict) -> str:
    payload = item.get("payload", {})
    if item.get("kind") == "text":
        return f"【推送·客服消息】{payload.get('text', '')}"
    fields = "；".join(f"{k}：{v}" for k, v in (payload.get("fields") or {}).items())
    link = f"（工单 {payload['link_case']}）" if payload.get("link_case") else ""
    return f"【推送·模板消息 {payload.get('template')}】{fields}{link}"


def run_chat(base_url: str, token: str, aes_key: str, appid: str, openid: str, encrypt: bool, watch_seconds: float):
    simulator = WeChatSimulator(
        http_transport(base_url), token=token, aes_key=aes_key, appid=appid, openid=openid,
        mode="aes" if encrypt else "plain",
    )
    watcher = PushWatcher(base_url, token, openid)
    watcher.show_recent()
    interactive = sys.stdin.isatty()
    stop = threading.Event()

    def watch():
        while not stop.wait(1.0):
            watcher.poll()

    threading.Thread(target=watch, daemon=True).start()
    if interactive:
        click.echo(f"以 {openid} 的身份和 {base_url} 对话（{'AES 安全模式' if encrypt else '明文模式'}）。{HELP}")
    try:
        for line in _lines(interactive):
            line = line.strip()
            if not line:
                continue
            if line in ("/quit", "/退出"):
                break
            result = _send(simulator, line)
            if result is None:
                click.echo(HELP)
                continue
            if result.status != 200:
                click.echo(click.style(f"服务器返回 HTTP {result.status}：{result.body[:200]}", fg="red"))
            elif result.reply:
                click.echo(click.style("邻里> ", fg="green") + result.reply)
            else:
                click.echo(click.style("邻里> （无回复）", fg="green"))
    finally:
        deadline = time.time() + watch_seconds
        while time.time() < deadline:  # give pushes sent after the last reply a moment to arrive
            time.sleep(0.5)
            watcher.poll()
        stop.set()


def _lines(interactive: bool):
    while True:
        try:
            line = input("你> ") if interactive else sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            return
        if not interactive and line == "":
            return
        yield line


def _send(simulator: WeChatSimulator, line: str):
    words = line.split()
    command = words[0]
    if command in ("/sub", "/关注"):
        return simulator.event("subscribe")
    if command in ("/unsub", "/取消关注"):
        return simulator.event("unsubscribe")
    if command in ("/image", "/图片"):
        return simulator.image()
    if command in ("/location", "/位置") and len(words) >= 3:
        return simulator.location(float(words[1]), float(words[2]), " ".join(words[3:]))
    if command in ("/click", "/点击") and len(words) >= 2:
        return simulator.event("CLICK", words[1])
    if command.startswith("/") and command not in ("/",):
        return None
    return simulator.text(line)
