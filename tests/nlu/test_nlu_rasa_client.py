"""The Rasa client against a stand-in HTTP server on 127.0.0.1: mapping, entities, fallback."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nlu.rasa_client import RasaInterpreter, RasaUnavailable
from nlu.understanding import Understanding

RASA_REPAIR = {
    "text": "3号楼2单元501厨房水管漏水",
    "intent": {"name": "repair", "confidence": 0.93},
    "entities": [{"entity": "building", "value": "3号楼", "extractor": "RegexEntityExtractor"}],
    "intent_ranking": [
        {"name": "repair", "confidence": 0.93},
        {"name": "dispute", "confidence": 0.05},
        {"name": "errand", "confidence": 0.02},
    ],
    "response_selector": {
        "repair": {
            "response": {"intent_response_key": "repair/engineering", "confidence": 0.88},
            "ranking": [{"intent_response_key": "repair/engineering", "confidence": 0.88}],
        }
    },
}


class StubRasa:
    """Answers POST /model/parse with `self.answer`, after `self.delay` seconds."""

    def __init__(self):
        self.answer: dict | None = RASA_REPAIR
        self.delay = 0.0
        self.status = 200
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                json.loads(self.rfile.read(length))
                time.sleep(stub.delay)
                body = json.dumps(stub.answer).encode()
                self.send_response(stub.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class FallbackInterpreter:
    def __init__(self):
        self.calls = 0

    def parse(self, text, *, now=None):
        self.calls += 1
        return Understanding(text=text, intent="greet", confidence=0.9, confident=True, backend="embedded")


@pytest.fixture
def stub():
    server = StubRasa()
    yield server
    server.close()


def test_a_rasa_answer_becomes_an_understanding_with_category_and_our_entities(stub, now):
    client = RasaInterpreter(stub.url, 2.0, 0.5, fallback=FallbackInterpreter())
    u = client.parse("3号楼2单元501厨房水管漏水 明天上午九点", now=now)
    assert (u.intent, u.category, u.backend) == ("repair", "engineering", "rasa")
    assert u.confidence == pytest.approx(0.93) and u.confident
    assert u.category_confidence == pytest.approx(0.88)
    assert (u.entities.building, u.entities.unit, u.entities.room) == ("3", "2", "501")
    assert u.entities.time is not None and u.entities.time.hour == 9
    assert [name for name, _ in u.ranking] == ["repair", "dispute", "errand"]
    assert client.fallback_count == 0


def test_rasa_s_own_fallback_intent_is_not_confident(stub):
    stub.answer = {
        "intent": {"name": "nlu_fallback", "confidence": 0.7},
        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.7}, {"name": "help", "confidence": 0.25}],
        "entities": [],
    }
    u = RasaInterpreter(stub.url, 2.0, 0.2, fallback=None).parse("嗯？")
    assert u.intent == "help" and not u.confident and u.category is None


def test_a_slow_rasa_falls_back_to_the_embedded_model_and_is_counted(stub, caplog):
    stub.delay = 1.0
    fallback = FallbackInterpreter()
    client = RasaInterpreter(stub.url, 0.2, 0.5, fallback=fallback)
    u = client.parse("电话13812345678 你好")
    assert u.backend == "embedded" and fallback.calls == 1
    assert client.fallback_count == 1
    assert "nlu.rasa_fallback" in caplog.text and "13812345678" not in caplog.text


def test_rasa_down_falls_back(stub):
    url = stub.url
    stub.close()
    fallback = FallbackInterpreter()
    client = RasaInterpreter(url, 0.5, 0.5, fallback=fallback)
    assert client.parse("你好").backend == "embedded"
    assert client.parse("你好").backend == "embedded"
    assert client.fallback_count == 2


def test_an_error_answer_falls_back(stub):
    stub.status = 500
    client = RasaInterpreter(stub.url, 2.0, 0.5, fallback=FallbackInterpreter())
    assert client.parse("你好").backend == "embedded" and client.fallback_count == 1


def test_without_a_fallback_the_failure_is_raised(stub):
    stub.delay = 1.0
    with pytest.raises(RasaUnavailable):
        RasaInterpreter(stub.url, 0.2, 0.5, fallback=None).parse("你好")


def test_the_factory_builds_a_rasa_client_with_the_embedded_fallback(settings, stub):
    from dataclasses import replace

    from nlu import build_interpreter

    client = build_interpreter(replace(settings, backend="rasa", rasa_url=stub.url))
    assert isinstance(client, RasaInterpreter)
    assert client.parse("3号楼2单元501厨房水管漏水").backend == "rasa"
    stub.status = 503
    fallback = client.parse("3号楼2单元501厨房水管漏水")
    assert fallback.backend == "embedded" and fallback.intent == "repair"
