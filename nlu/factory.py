"""Builds the interpreter that config.yaml's `nlu:` section asks for."""
from __future__ import annotations

from nlu.settings import NluSettings
from nlu.understanding import Interpreter


def build(settings: NluSettings) -> Interpreter:
    """Embedded by default; `backend: rasa` gives the Rasa client, which falls back to the embedded model."""
    from nlu.embedded import build_embedded

    embedded = build_embedded(settings.data_path, settings.cache_dir, settings.min_confidence)
    if settings.backend == "embedded":
        return embedded
    if settings.backend == "rasa":
        from nlu.rasa_client import RasaInterpreter

        return RasaInterpreter(
            url=settings.rasa_url,
            timeout_seconds=settings.rasa_timeout_seconds,
            min_confidence=settings.min_confidence,
            fallback=embedded,
        )
    raise ValueError(f"unknown nlu.backend {settings.backend!r} (embedded | rasa)")
