"""Reads Rasa 3 YAML training data (nlu/data/nlu.yml), the one source both backends train from."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# [3号楼](building), [电悌]{"entity": "facility", "value": "电梯"}
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    text: str  # annotations stripped
    intent: str  # base intent: "repair", not "repair/engineering"
    category: str | None  # the retrieval sub-intent of repair, e.g. "engineering"
    raw: str  # as written in nlu.yml, annotations included


@dataclass(frozen=True)
class TrainingData:
    examples: tuple[Example, ...]
    synonyms: dict[str, str] = field(default_factory=dict)  # variant -> canonical
    regexes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lookups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    digest: str = ""  # sha256 of the file's bytes

    @property
    def intents(self) -> tuple[str, ...]:
        return tuple(sorted({e.intent for e in self.examples}))


def strip_annotations(text: str) -> str:
    return _ANNOTATION.sub(r"\1", text)


def _items(block: str | None) -> list[str]:
    """The `- item` lines of a Rasa `examples: |` block."""
    items = []
    for line in (block or "").splitlines():
        line = line.strip()
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line == "-":
            continue
    return [i for i in items if i]


def load_training_data(path: Path) -> TrainingData:
    """Parse one Rasa 3 YAML NLU file; raises ValueError on entries this loader does not know."""
    raw_bytes = Path(path).read_bytes()
    document = yaml.safe_load(raw_bytes.decode("utf-8")) or {}
    examples: list[Example] = []
    synonyms: dict[str, str] = {}
    regexes: dict[str, tuple[str, ...]] = {}
    lookups: dict[str, tuple[str, ...]] = {}
    for entry in document.get("nlu", []) or []:
        items = _items(entry.get("examples"))
        if "intent" in entry:
            name = str(entry["intent"])
            intent, _, category = name.partition("/")
            for raw in items:
                examples.append(Example(strip_annotations(raw), intent, category or None, raw))
        elif "synonym" in entry:
            for variant in items:
                synonyms[variant] = str(entry["synonym"])
        elif "regex" in entry:
            regexes[str(entry["regex"])] = tuple(items)
        elif "lookup" in entry:
            lookups[str(entry["lookup"])] = tuple(items)
        else:
            raise ValueError(f"unknown entry in {path}: {sorted(entry)}")
    return TrainingData(
        examples=tuple(examples),
        synonyms=synonyms,
        regexes=regexes,
        lookups=lookups,
        digest=hashlib.sha256(raw_bytes).hexdigest(),
    )
