"""`linli nlu parse` and `linli nlu eval`, driven through click's CliRunner on the nlu group."""
from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from bot.nlu_commands import nlu_group
from nlu.embedded import cache_key
from nlu.settings import DATA_PATH
from nlu.training_data import load_training_data


def _config(tmp_path, cache_dir):
    config = tmp_path / "config.yaml"
    config.write_text(f"nlu:\n  backend: embedded\n  min_confidence: 0.5\n  cache_dir: {cache_dir}\n", encoding="utf-8")
    return config


def test_parse_writes_one_json_object_per_input_line(tmp_path, nlu_cache_dir):
    stdin = "3号楼2单元501厨房水管漏水，明天下午三点在家，电话13812345678\n\n你好，在吗\n"
    result = CliRunner().invoke(
        nlu_group, ["parse", "--config", str(_config(tmp_path, nlu_cache_dir)), "--now", "2026-11-24T15:30"], input=stdin
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 2  # the blank line is skipped
    repair, greet = lines
    assert set(repair) == {"text", "intent", "confidence", "category", "entities"}
    assert set(repair["entities"]) == {"building", "unit", "room", "time", "phone"}
    assert repair["intent"] == "repair" and repair["category"] == "engineering"
    assert repair["entities"] == {
        "building": "3", "unit": "2", "room": "501", "time": "2026-11-25T15:00:00+08:00", "phone": "13812345678",
    }
    assert greet["intent"] == "greet" and greet["category"] is None
    assert greet["entities"] == dict.fromkeys(("building", "unit", "room", "time", "phone"))


def test_parse_works_without_a_config_file(tmp_path, monkeypatch, nlu_cache_dir, interpreter):
    monkeypatch.chdir(tmp_path)
    default_cache = tmp_path / "var" / "nlu-cache"  # NluSettings' default, relative to the working folder
    default_cache.mkdir(parents=True)
    model = nlu_cache_dir / f"embedded-{cache_key(load_training_data(DATA_PATH))}.npz"
    shutil.copy(model, default_cache)  # the model trained for this session: no second training
    result = CliRunner().invoke(nlu_group, ["parse"], input="电梯坏了\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["intent"] == "repair"


def test_eval_prints_cross_validated_scores_per_intent_and_category_and_confusions(tmp_path, nlu_cache_dir):
    result = CliRunner().invoke(nlu_group, ["eval", "--config", str(_config(tmp_path, nlu_cache_dir)), "--folds", "2"])
    assert result.exit_code == 0, result.output
    out = result.output
    for name in ("repair", "dispute", "errand", "consultation_signup", "out_of_scope", "engineering", "care"):
        assert name in out
    assert "意图宏平均 F1" in out and "报修类别准确率" in out and "最常混淆" in out and "建议 nlu.min_confidence" in out
