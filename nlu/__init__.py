"""Language understanding for Linli. Knows Chinese and nothing about cases."""
from nlu.settings import NluSettings
from nlu.understanding import CATEGORIES, INTENTS, Entities, Interpreter, Understanding

__all__ = ["CATEGORIES", "INTENTS", "Entities", "Interpreter", "NluSettings", "Understanding", "build_interpreter"]


def build_interpreter(settings: NluSettings) -> Interpreter:
    """The interpreter the settings ask for (embedded by default; Rasa falls back to embedded)."""
    from nlu.factory import build

    return build(settings)
