"""The embedded backend: trained from nlu.yml, cached on disk, answers the Understanding contract."""
from __future__ import annotations

import numpy as np
import pytest

from nlu import CATEGORIES, INTENTS, NluSettings, build_interpreter
from nlu.embedded import EmbeddedModel, Featurizer, cache_key, fit_text_model, load_or_train
from nlu.settings import DATA_PATH
from nlu.training_data import load_training_data


def test_the_issue_2_demo_message_is_an_engineering_repair_with_its_location(interpreter):
    u = interpreter.parse("3号楼2单元501厨房水管漏水")
    assert u.intent == "repair"
    assert u.category == "engineering"
    assert (u.entities.building, u.entities.unit, u.entities.room) == ("3", "2", "501")
    assert u.confident
    assert u.backend == "embedded"


def test_an_understanding_carries_a_ranking_over_the_contract_intents(interpreter):
    u = interpreter.parse("帮俺去药店买盒降压药")
    names = [name for name, _ in u.ranking]
    assert set(names) == set(INTENTS)
    assert names[0] == u.intent == "errand"
    assert u.confidence == pytest.approx(u.ranking[0][1])
    assert sum(p for _, p in u.ranking) == pytest.approx(1.0)
    assert u.category is None and u.category_confidence is None


def test_only_a_repair_has_a_category(interpreter):
    for text in ("楼上天天半夜蹦跶，说了也不听", "你好，在吗", "周三的议事会我想参加"):
        assert interpreter.parse(text).category is None
    repair = interpreter.parse("楼道里的垃圾好几天没人收了")
    assert repair.intent == "repair" and repair.category in CATEGORIES
    assert 0 < repair.category_confidence <= 1


def test_confident_follows_the_configured_threshold(settings):
    strict = build_interpreter(NluSettings(cache_dir=settings.cache_dir, min_confidence=1.01))
    lenient = build_interpreter(NluSettings(cache_dir=settings.cache_dir, min_confidence=0.0))
    assert not strict.parse("电梯坏了").confident
    assert lenient.parse("电梯坏了").confident


def test_empty_or_blank_text_is_out_of_scope_and_not_confident(interpreter):
    for text in ("", "   ", "\n"):
        u = interpreter.parse(text)
        assert u.intent == "out_of_scope" and not u.confident and u.confidence == 0.0


def test_the_trained_model_is_cached_on_disk_by_the_data_hash(nlu_cache_dir, interpreter):
    data = load_training_data(DATA_PATH)
    assert (nlu_cache_dir / f"embedded-{cache_key(data)}.npz").exists()


def test_changed_data_gets_a_new_cache_key(tmp_path):
    data = load_training_data(DATA_PATH)
    changed = tmp_path / "nlu.yml"
    changed.write_text(DATA_PATH.read_text(encoding="utf-8") + "\n# 新的一行\n", encoding="utf-8")
    assert cache_key(load_training_data(changed)) != cache_key(data)


def test_a_cached_model_loads_without_training_again(settings, monkeypatch, interpreter):
    def no_training(*args, **kwargs):
        raise AssertionError("trained again although the cache holds this model")

    monkeypatch.setattr(EmbeddedModel, "train", no_training)
    assert build_interpreter(settings).parse("电梯坏了").intent == "repair"


def test_a_model_trained_for_new_data_replaces_the_stale_cached_one(tmp_path):
    data = tmp_path / "nlu.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n'
        "- intent: greet\n  examples: |\n" + "".join(f"    - {t}\n" for t in ("你好", "您好", "在吗", "早上好", "有人吗", "晚上好"))
        + "- intent: repair/engineering\n  examples: |\n"
        + "".join(f"    - {t}\n" for t in ("电梯坏了", "水管漏水", "停电了", "暖气不热", "门锁坏了", "灯不亮"))
        + "- intent: repair/cleaning\n  examples: |\n"
        + "".join(f"    - {t}\n" for t in ("垃圾没人清", "楼道很脏", "有老鼠", "蟑螂多", "垃圾桶满了", "楼道堆满杂物")),
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = cache / "embedded-0123456789abcdef.npz"
    stale.write_bytes(b"a model for data that has since changed")
    unrelated = cache / "notes.txt"
    unrelated.write_text("kept", encoding="utf-8")

    model = load_or_train(data, cache)

    assert [p.name for p in cache.glob("embedded-*.npz")] == [f"embedded-{cache_key(load_training_data(data))}.npz"]
    assert unrelated.exists()
    assert model.classify("电梯又坏了")[0][0][0] == "repair"


def test_the_exported_model_gives_the_same_probabilities_as_scikit_learn():
    data = load_training_data(DATA_PATH)
    featurizer = Featurizer.from_data(data)
    examples = data.examples[::4]  # the export is on trial here, not the accuracy: a quarter trains in seconds
    tokens = [featurizer.tokens(e.text) for e in examples]
    labels = [e.intent for e in examples]
    probes = [featurizer.tokens(t) for t in ["电梯坏了", "楼上漏水不给修", "哈哈", "3号楼501", "帮我买药送上来", "！！！"]]

    exported = fit_text_model(tokens, labels, 3.0, temperature=4.0)

    classes, expected = _scikit_learn_probabilities(tokens, labels, probes, temperature=4.0)
    assert list(exported.labels) == classes
    got = np.array([exported.probabilities(p) for p in probes])
    np.testing.assert_allclose(got, expected, atol=1e-9)
    assert [classes[i] for i in got.argmax(axis=1)][:2] == ["repair", "dispute"]


def test_a_two_label_model_gives_the_same_probabilities_as_scikit_learn():
    """scikit-learn keeps one score column for two labels; the export makes it a softmax over both."""
    tokens = [["电梯", "坏"], ["灯", "不亮"], ["电梯", "停"], ["灯", "黑"], ["电梯", "灯"]] * 5
    labels = ["elevator", "lighting", "elevator", "lighting", "elevator"] * 5
    probes = [["电梯", "坏"], ["灯"], ["不亮", "电梯"], ["水管"]]

    exported = fit_text_model(tokens, labels, 3.0, temperature=2.0)

    classes, expected = _scikit_learn_probabilities(tokens, labels, probes, temperature=2.0)
    assert list(exported.labels) == classes == ["elevator", "lighting"]
    got = np.array([exported.probabilities(p) for p in probes])
    np.testing.assert_allclose(got, expected, atol=1e-9)
    assert got[0][0] > 0.5 > got[1][0]


def test_confidences_come_from_a_temperature_fitted_on_held_out_messages():
    """Margins that usually pick the right label on held-out messages are sharpened (a temperature inside the
    range tried); the same margins against shuffled labels, which they do not predict, are flattened more."""
    from nlu.embedded import TEMPERATURES, fit_temperature

    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, size=300)
    margins = rng.normal(0.0, 0.3, size=(300, 3))
    margins[np.arange(300), gold] += 1.0  # the right label usually scores highest
    sure = fit_temperature(margins, gold)
    assert TEMPERATURES[0] < sure < TEMPERATURES[-1]

    shuffled = rng.permutation(gold)
    assert fit_temperature(margins, shuffled) < sure


def _scikit_learn_probabilities(tokens, labels, probes, temperature) -> tuple[list[str], np.ndarray]:
    """What scikit-learn itself scores, as a softmax of the SVM's margins times the temperature."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vectorizer = TfidfVectorizer(analyzer=lambda t: t, sublinear_tf=True)
    matrix = vectorizer.fit_transform(tokens)
    svm = LinearSVC(C=3.0, class_weight="balanced", max_iter=20000, random_state=0).fit(matrix, labels)
    margins = svm.decision_function(vectorizer.transform(probes))
    if margins.ndim == 1:  # two labels: one margin, positive for the second
        margins = np.stack([-margins / 2, margins / 2], axis=1)
    scaled = np.exp(temperature * (margins - margins.max(axis=1, keepdims=True)))
    return list(svm.classes_), scaled / scaled.sum(axis=1, keepdims=True)


def test_an_unknown_backend_is_refused(settings):
    with pytest.raises(ValueError):
        build_interpreter(NluSettings(backend="gpt", cache_dir=settings.cache_dir))
