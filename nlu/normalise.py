"""Text normalisation shared by the classifier and the entity extractors."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, one space between words."""
    text = unicodedata.normalize("NFKC", text or "")
    return _SPACES.sub(" ", text).strip().lower()


class Replacer:
    """Replaces variants with their canonical form, longest variant first (电悌 -> 电梯, 俺 -> 我)."""

    def __init__(self, mapping: Mapping[str, str]):
        self._mapping = {normalise(k): v for k, v in mapping.items() if normalise(k)}
        variants = sorted(self._mapping, key=len, reverse=True)
        # An English variant ("no", "hi") must be a word of its own, not part of "nokia" or "this".
        alternatives = [rf"(?<![a-z]){re.escape(v)}(?![a-z])" if v.isascii() else re.escape(v) for v in variants]
        self._pattern = re.compile("|".join(alternatives)) if alternatives else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._mapping[m.group(0)], text)
