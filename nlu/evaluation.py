"""K-fold cross-validation of a backend on nlu.yml: per-intent and per-category scores, confusions.

Used by `linli nlu eval` and `make bench-nlu`. Folds are stratified by intent (repair by category)
with a fixed seed, so both backends see the same folds.
"""
from __future__ import annotations

import dataclasses
import gc
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from nlu.training_data import Example, TrainingData

SEED = 20261124


@dataclass(frozen=True)
class Prediction:
    example: Example
    intent: str
    confidence: float
    category: str | None
    seconds: float  # parse latency


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    predictions: list[Prediction] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return _mean(p.intent == p.example.intent for p in self.predictions)

    def intent_scores(self) -> dict[str, Scores]:
        return _per_label([(p.example.intent, p.intent) for p in self.predictions])

    @property
    def macro_f1(self) -> float:
        scores = self.intent_scores()
        return sum(s.f1 for s in scores.values()) / len(scores) if scores else 0.0

    def category_pairs(self) -> list[tuple[str, str | None]]:
        """(gold, predicted) category for every repair example; predicted None when not read as repair."""
        return [(p.example.category, p.category) for p in self.predictions if p.example.intent == "repair" and p.example.category]

    @property
    def category_accuracy(self) -> float:
        """Share of repair examples whose category is right (among those predicted as repair too)."""
        return _mean(gold == pred for gold, pred in self.category_pairs())

    def category_scores(self) -> dict[str, Scores]:
        return _per_label([(g, p or "-") for g, p in self.category_pairs()], labels={g for g, _ in self.category_pairs()})

    def confusions(self, top: int = 8) -> list[tuple[str, str, int, list[str]]]:
        """Most frequent (gold, predicted) intent errors, with up to three example texts each."""
        errors: dict[tuple[str, str], list[str]] = defaultdict(list)
        for p in self.predictions:
            gold = _label(p.example.intent, p.example.category)
            pred = _label(p.intent, p.category)
            if gold != pred:
                errors[(gold, pred)].append(p.example.text)
        ranked = sorted(errors.items(), key=lambda kv: -len(kv[1]))[:top]
        return [(g, pr, len(texts), texts[:3]) for (g, pr), texts in ranked]

    def latencies_ms(self) -> list[float]:
        return sorted(p.seconds * 1000 for p in self.predictions)

    def coverage_at(self, threshold: float) -> tuple[float, float]:
        """(share of messages at or above the threshold, accuracy among them)."""
        kept = [p for p in self.predictions if p.confidence >= threshold]
        return len(kept) / max(1, len(self.predictions)), _mean(p.intent == p.example.intent for p in kept)


def suggested_threshold(report: Report, target: float = 0.95) -> float | None:
    """The lowest confidence threshold (in steps of 0.05) whose confident answers are >= target right."""
    for step in range(2, 19):
        threshold = step / 20
        coverage, accuracy = report.coverage_at(threshold)
        if coverage and accuracy >= target:
            return threshold
    return None


def _label(intent: str, category: str | None) -> str:
    return f"{intent}/{category}" if intent == "repair" and category else intent


def _mean(values: Iterable[bool]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _per_label(pairs: list[tuple[str, str]], labels: set[str] | None = None) -> dict[str, Scores]:
    labels = labels or {g for g, _ in pairs} | {p for _, p in pairs}
    gold_counts = Counter(g for g, _ in pairs)
    pred_counts = Counter(p for _, p in pairs)
    hits = Counter(g for g, p in pairs if g == p)
    scores = {}
    for label in sorted(labels):
        precision = hits[label] / pred_counts[label] if pred_counts[label] else 0.0
        recall = hits[label] / gold_counts[label] if gold_counts[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = Scores(precision, recall, f1, gold_counts[label])
    return scores


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


def folds(data: TrainingData, k: int) -> list[tuple[TrainingData, list[Example]]]:
    """k stratified (train data, test examples) splits; the same for every backend."""
    from sklearn.model_selection import StratifiedKFold

    examples = list(data.examples)
    strata = [_label(e.intent, e.category) for e in examples]
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED)
    result = []
    for train_idx, test_idx in splitter.split(examples, strata):
        train = dataclasses.replace(data, examples=tuple(examples[i] for i in train_idx))
        result.append((train, [examples[i] for i in test_idx]))
    return result


# A trainer turns training data into a parse function: text -> (intent, confidence, category).
Parse = Callable[[str], tuple[str, float, str | None]]
Trainer = Callable[[TrainingData], Parse]


def cross_validate(
    data: TrainingData,
    trainer: Trainer,
    k: int = 5,
    progress: Callable[[str], None] | None = None,
    repeats: int = 1,
) -> Report:
    """Train on k-1 folds, parse the held-out fold, for every fold.

    With repeats > 1 each message is parsed that many times and its latency is the median: on a
    shared machine one descheduled parse is noise, while a slow message stays slow every time.
    """
    report = Report()
    for i, (train, test) in enumerate(folds(data, k), start=1):
        if progress:
            progress(f"第 {i}/{k} 折：训练 {len(train.examples)} 条，测试 {len(test)} 条")
        parse = trainer(train)
        gc.collect()  # the garbage of training is not the parse's cost
        for example in test:
            timings = []
            for _ in range(max(1, repeats)):
                start = time.perf_counter()
                intent, confidence, category = parse(example.text)
                timings.append(time.perf_counter() - start)
            report.predictions.append(Prediction(example, intent, confidence, category, statistics.median(timings)))
    return report


def embedded_trainer(train: TrainingData) -> Parse:
    """Train the embedded model on one fold; parse the way EmbeddedInterpreter does, entities included."""
    from nlu.embedded import EmbeddedInterpreter, EmbeddedModel

    interpreter = EmbeddedInterpreter(EmbeddedModel.train(train), min_confidence=0.0)

    def parse(text: str) -> tuple[str, float, str | None]:
        u = interpreter.parse(text)
        return u.intent, u.confidence, u.category

    return parse


def format_report(report: Report, backend: str) -> str:
    """The report `linli nlu eval` prints, in Chinese."""
    lines = [f"后端：{backend}    样本：{len(report.predictions)}", "", "意图            精确率  召回率  F1     样本数"]
    for label, s in report.intent_scores().items():
        lines.append(f"{label:<20}{s.precision:6.3f}  {s.recall:6.3f}  {s.f1:6.3f}  {s.support:4d}")
    lines.append(f"意图宏平均 F1：{report.macro_f1:.3f}    准确率：{report.accuracy:.3f}")
    lines += ["", "报修类别        精确率  召回率  F1     样本数"]
    for label, s in report.category_scores().items():
        lines.append(f"{label:<16}{s.precision:6.3f}  {s.recall:6.3f}  {s.f1:6.3f}  {s.support:4d}")
    lines.append(f"报修类别准确率：{report.category_accuracy:.3f}")
    lines += ["", "置信度阈值  覆盖率  覆盖内准确率"]
    for threshold in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        coverage, accuracy = report.coverage_at(threshold)
        lines.append(f"{threshold:8.1f}  {coverage:7.3f}  {accuracy:7.3f}")
    suggestion = suggested_threshold(report)
    if suggestion is not None:
        lines.append(f"建议 nlu.min_confidence：{suggestion:.2f}（置信回答中至少 95% 正确的最低阈值）")
    lines += ["", "最常混淆（标注 → 预测）："]
    for gold, pred, count, texts in report.confusions():
        lines.append(f"  {gold} → {pred}：{count} 次，例如：" + "；".join(texts))
    return "\n".join(lines)
