"""The Rasa backend: POST /model/parse on a Rasa 3.6 server, mapped to Understanding.

Entities come from our own extractors (normal forms Rasa's regexes do not give). When Rasa is down,
answers an error or is slower than the timeout, the embedded model answers instead: the fallback
is logged and counted (`fallback_count`).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime

import requests

from nlu.entities import extract_entities, extract_location, extract_phone
from nlu.understanding import CATEGORIES, INTENTS, Entities, Interpreter, Understanding

log = logging.getLogger(__name__)

RASA_FALLBACK_INTENT = "nlu_fallback"  # what Rasa's FallbackClassifier says below its threshold


class RasaUnavailable(Exception):
    """Rasa could not answer in time (only raised when there is no fallback interpreter)."""


class RasaInterpreter:
    """Interpreter backed by a Rasa server; falls back to `fallback` on any failure."""

    backend = "rasa"

    def __init__(
        self,
        url: str,
        timeout_seconds: float,
        min_confidence: float,
        fallback: Interpreter | None,
        session: requests.Session | None = None,
    ):
        self.url = url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self.min_confidence = min_confidence
        self.fallback = fallback
        self._session = session or requests.Session()
        self._lock = threading.Lock()
        self._fallbacks = 0

    @property
    def fallback_count(self) -> int:
        """How many messages the fallback answered since start."""
        return self._fallbacks

    def parse(self, text: str, *, now: datetime | None = None) -> Understanding:
        text = text if isinstance(text, str) else ""
        try:
            response = self._session.post(f"{self.url}/model/parse", json={"text": text}, timeout=self.timeout_seconds)
            response.raise_for_status()
            result = response.json()
            return self.understanding(text, result, now)
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            with self._lock:
                self._fallbacks += 1
                count = self._fallbacks
            # No message text here: it may carry a phone number or an address.
            log.warning("nlu.rasa_fallback reason=%s url=%s fallbacks=%d", type(exc).__name__, self.url, count)
            if self.fallback is None:
                raise RasaUnavailable(type(exc).__name__) from exc
            return self.fallback.parse(text, now=now)

    def understanding(self, text: str, result: dict, now: datetime | None = None) -> Understanding:
        """Map Rasa's /model/parse JSON to the contract."""
        ranking: dict[str, float] = {}
        for item in result.get("intent_ranking") or [result.get("intent") or {}]:
            name = str(item.get("name") or "").split("/")[0]
            if name in INTENTS and name not in ranking:
                ranking[name] = float(item.get("confidence") or 0.0)
        ordered = tuple(sorted(ranking.items(), key=lambda p: -p[1]))
        if ordered:
            intent, confidence = ordered[0]
        else:
            intent, confidence = "out_of_scope", 0.0
        top_name = str((result.get("intent") or {}).get("name") or "")
        below_rasa_threshold = top_name == RASA_FALLBACK_INTENT
        category, category_confidence = None, None
        if intent == "repair":
            category, category_confidence = _category(result)
        return Understanding(
            text=text,
            intent=intent,
            confidence=confidence,
            confident=confidence >= self.min_confidence and not below_rasa_threshold,
            category=category,
            category_confidence=category_confidence,
            ranking=ordered,
            entities=_merge_entities(text, result.get("entities") or [], now),
            backend=self.backend,
        )


def _category(result: dict) -> tuple[str | None, float | None]:
    """The ResponseSelector's retrieval intent repair/<category>."""
    selector = (result.get("response_selector") or {}).get("repair") or {}
    response = selector.get("response") or {}
    key = str(response.get("intent_response_key") or "")
    category = key.partition("/")[2]
    if category in CATEGORIES:
        return category, float(response.get("confidence") or 0.0)
    for item in selector.get("ranking") or []:
        category = str(item.get("intent_response_key") or "").partition("/")[2]
        if category in CATEGORIES:
            return category, float(item.get("confidence") or 0.0)
    return None, None


def _merge_entities(text: str, rasa_entities: list[dict], now: datetime | None) -> Entities:
    """Our extractors first; Rasa's regex entities, normalised by ours, fill what ours missed."""
    ours = extract_entities(text, now)
    values = {"building": ours.building, "unit": ours.unit, "room": ours.room, "phone": ours.phone}
    for entity in rasa_entities:
        name, value = entity.get("entity"), str(entity.get("value") or "")
        if name in ("building", "unit", "room") and values[name] is None:
            building, unit, room = extract_location(value)
            values[name] = {"building": building, "unit": unit, "room": room}[name]
        elif name == "phone" and values["phone"] is None:
            values["phone"] = extract_phone(value)
    return Entities(time=ours.time, **values)
