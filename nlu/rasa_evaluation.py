"""Cross-validation of the Rasa backend: one model per fold, served by one Rasa server.

Each fold's training data is written back to Rasa YAML and trained with nlu/config.yml; fold models
are cached like the main model (keyed by the fold's data, the config and the venv), and loaded into a
single running server with PUT /model, so a fold costs a training, not a server start.
"""
from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from nlu import rasa_runtime
from nlu.evaluation import Parse
from nlu.rasa_client import RasaInterpreter
from nlu.training_data import TrainingData


def to_rasa_yaml(data: TrainingData) -> str:
    """TrainingData back to Rasa 3 YAML, annotations and retrieval intents as written in nlu.yml."""
    lines = ['version: "3.1"', "nlu:"]
    groups: dict[str, list[str]] = {}
    for e in data.examples:
        name = f"{e.intent}/{e.category}" if e.category else e.intent
        groups.setdefault(name, []).append(e.raw)
    for name, raws in groups.items():
        lines += [f"- intent: {name}", "  examples: |"] + [f"    - {raw}" for raw in raws]
    synonyms: dict[str, list[str]] = {}
    for variant, canonical in data.synonyms.items():
        synonyms.setdefault(canonical, []).append(variant)
    for canonical, variants in synonyms.items():
        lines += [f"- synonym: {canonical}", "  examples: |"] + [f"    - {v}" for v in variants]
    for kind, table in (("regex", data.regexes), ("lookup", data.lookups)):
        for name, items in table.items():
            lines += [f"- {kind}: {name}", "  examples: |"] + [f"    - {i}" for i in items]
    return "\n".join(lines) + "\n"


class RasaFolds:
    """A context manager whose `trainer` trains a fold model and returns a parse function over HTTP."""

    def __init__(self, progress: Callable[[str], None] | None = None, timeout_seconds: float = 30.0):
        self.progress = progress or (lambda message: None)
        self.timeout_seconds = timeout_seconds
        self.server: rasa_runtime.RasaServer | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="linli-rasa-folds-")

    def __enter__(self) -> "RasaFolds":
        rasa_runtime.ensure_venv()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        self._tmp.cleanup()

    @property
    def server_pid(self) -> int | None:
        return self.server.process.pid if self.server else None

    def model_for(self, train: TrainingData) -> Path:
        """The fold's model, trained unless cached; safe to call from several threads at once."""
        fd, name = tempfile.mkstemp(suffix=".yml", dir=self._tmp.name)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(to_rasa_yaml(train))
        path = Path(name)
        model = rasa_runtime.cache_root() / "rasa-models" / "folds" / f"{rasa_runtime.model_hash(path)}.tar.gz"
        if not model.exists():
            self.progress(f"rasa：训练折模型 {model.name}（{len(train.examples)} 条）")
            started = time.monotonic()
            rasa_runtime.train(path, model)
            self.progress(f"rasa：{model.name} 训练用时 {time.monotonic() - started:.0f} s")
        return model

    def trainer(self, train: TrainingData) -> Parse:
        model = self.model_for(train)
        if self.server is None:
            self.server = rasa_runtime.start_server(model, rasa_runtime.free_port())
            self.progress(f"rasa：启动服务 {self.server.url}（pid {self.server.process.pid}）")
            self.server.wait_ready()
        else:
            self.server.replace_model(model)
            self.server.wait_ready()
        client = RasaInterpreter(self.server.url, self.timeout_seconds, 0.0, fallback=None)

        def parse(text: str) -> tuple[str, float, str | None]:
            u = client.parse(text)
            return u.intent, u.confidence, u.category

        return parse
