"""NLU settings: the `nlu:` section of config.yaml, nothing else."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA_PATH = Path(__file__).parent / "data" / "nlu.yml"


@dataclass(frozen=True)
class NluSettings:
    backend: str = "embedded"  # "embedded" | "rasa"
    min_confidence: float = 0.5
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 1.0
    cache_dir: Path = Path("var/nlu-cache")
    data_path: Path = DATA_PATH

    @classmethod
    def from_mapping(cls, section: dict | None, *, base_dir: Path | None = None) -> "NluSettings":
        section = dict(section or {})
        rasa = section.pop("rasa", {}) or {}
        cache_dir = Path(section.get("cache_dir", cls.cache_dir))
        if base_dir is not None and not cache_dir.is_absolute():
            cache_dir = base_dir / cache_dir
        data_path = Path(section.get("data_path", DATA_PATH))
        return cls(
            backend=section.get("backend", cls.backend),
            min_confidence=float(section.get("min_confidence", cls.min_confidence)),
            rasa_url=rasa.get("url", cls.rasa_url),
            rasa_timeout_seconds=float(rasa.get("timeout_seconds", cls.rasa_timeout_seconds)),
            cache_dir=cache_dir,
            data_path=data_path,
        )
