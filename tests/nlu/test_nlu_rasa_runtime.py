"""Where the Rasa environment lives: a cache outside the checkout, keyed by what it is built from."""
from __future__ import annotations

from nlu import rasa_runtime
from nlu.settings import DATA_PATH


def test_the_venv_and_models_live_under_linli_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("LINLI_CACHE", str(tmp_path))
    assert rasa_runtime.venv_dir().parent == tmp_path
    assert rasa_runtime.venv_dir().name.startswith("rasa-venv-")
    assert rasa_runtime.model_path().parent == tmp_path / "rasa-models"
    assert not rasa_runtime.venv_ready()  # nothing built in an empty cache


def test_changed_training_data_gets_another_model(tmp_path):
    changed = tmp_path / "nlu.yml"
    changed.write_text(DATA_PATH.read_text(encoding="utf-8") + "\n# 改了一行\n", encoding="utf-8")
    assert rasa_runtime.model_hash(changed) != rasa_runtime.model_hash(DATA_PATH)
    assert rasa_runtime.model_hash(DATA_PATH) == rasa_runtime.model_hash(DATA_PATH)


def test_the_pinned_requirements_name_rasa_3_6_21():
    assert "rasa==3.6.21" in rasa_runtime.REQUIREMENTS.read_text()
    assert "tensorflow==2.12.0" in rasa_runtime.CONSTRAINTS.read_text()
