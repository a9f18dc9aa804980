"""nlu.yml in Rasa 3 format: what the loader reads, and the fold files written back for Rasa."""
from __future__ import annotations

import yaml

from nlu.rasa_evaluation import to_rasa_yaml
from nlu.settings import DATA_PATH
from nlu.training_data import load_training_data, strip_annotations


def test_annotations_are_stripped_to_the_words_the_resident_wrote():
    assert strip_annotations("[3号楼](building)[2单元](unit)[501](room)漏水") == "3号楼2单元501漏水"
    assert strip_annotations('[电悌]{"entity": "facility", "value": "电梯"}坏了') == "电悌坏了"


def test_repair_examples_carry_their_category_as_a_retrieval_intent():
    data = load_training_data(DATA_PATH)
    repairs = [e for e in data.examples if e.intent == "repair"]
    assert repairs and all(e.category for e in repairs)
    assert all(e.category is None for e in data.examples if e.intent != "repair")


def test_synonyms_regexes_and_lookup_tables_are_read():
    data = load_training_data(DATA_PATH)
    assert data.synonyms["电悌"] == "电梯" and data.synonyms["俺"] == "我"
    assert {"building", "unit", "room", "phone"} <= set(data.regexes)
    assert {"engineering_term", "cleaning_term", "greening_term", "order_term", "care_term"} <= set(data.lookups)


def test_a_fold_written_back_for_rasa_reads_the_same(tmp_path):
    data = load_training_data(DATA_PATH)
    path = tmp_path / "fold.yml"
    path.write_text(to_rasa_yaml(data), encoding="utf-8")
    again = load_training_data(path)
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["version"] == "3.1"
    assert [(e.raw, e.intent, e.category) for e in again.examples] == [(e.raw, e.intent, e.category) for e in data.examples]
    assert (again.synonyms, again.regexes, again.lookups) == (data.synonyms, data.regexes, data.lookups)
