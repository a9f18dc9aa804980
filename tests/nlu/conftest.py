"""Fixtures for the NLU tests: one embedded interpreter per session, cached where the other tests cache it."""
from __future__ import annotations

from datetime import datetime

import pytest

from nlu import NluSettings, build_interpreter
from nlu.understanding import Interpreter
from nlu.entities import SHANGHAI

# A Tuesday afternoon; relative times in tests count from here.
NOW = datetime(2026, 11, 24, 15, 30, tzinfo=SHANGHAI)


@pytest.fixture(scope="session")
def settings(nlu_cache_dir) -> NluSettings:
    return NluSettings(backend="embedded", cache_dir=nlu_cache_dir)


@pytest.fixture(scope="session")
def interpreter(settings) -> Interpreter:
    return build_interpreter(settings)


@pytest.fixture
def now() -> datetime:
    return NOW
