"""`linli nlu ...`: tools for the people who maintain the training data."""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click
import yaml

from nlu import NluSettings, build_interpreter
from nlu.understanding import Understanding


def load_settings(config_path: Path, backend: str | None) -> NluSettings:
    """The `nlu:` section of config.yaml (defaults when the file is missing), backend overridable."""
    section: dict = {}
    if config_path.exists():
        section = (yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}).get("nlu") or {}
    if backend:
        section = {**section, "backend": backend}
    return NluSettings.from_mapping(section, base_dir=config_path.resolve().parent)


def understanding_json(u: Understanding) -> dict:
    """The stable one-line shape evaluation tools read; missing values are null, time is ISO 8601."""
    e = u.entities
    return {
        "text": u.text,
        "intent": u.intent,
        "confidence": round(u.confidence, 4),
        "category": u.category,
        "entities": {
            "building": e.building,
            "unit": e.unit,
            "room": e.room,
            "time": e.time.isoformat() if e.time else None,
            "phone": e.phone,
        },
    }


_config_option = click.option(
    "--config", "config_path", type=click.Path(path_type=Path), default=Path("config.yaml"), show_default=True,
    help="配置文件（读取其中的 nlu: 部分）",
)
_backend_option = click.option("--backend", type=click.Choice(["embedded", "rasa"]), default=None, help="覆盖配置中的 nlu.backend")


@click.group("nlu")
def nlu_group() -> None:
    """Parse text and evaluate the NLU."""


@nlu_group.command("parse")
@_config_option
@_backend_option
@click.option("--now", type=click.DateTime(formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]), default=None,
              help="解析相对时间的基准（上海时间），默认当前时间")
def parse_command(config_path: Path, backend: str | None, now: datetime | None) -> None:
    """从标准输入逐行读取文本，每行输出一个 JSON 对象（意图、置信度、类别、实体）。"""
    interpreter = build_interpreter(load_settings(config_path, backend))
    for stream in (sys.stdin, sys.stdout):
        try:  # residents write Chinese whatever the terminal's locale says
            stream.reconfigure(encoding="utf-8")
        except (AttributeError, ValueError):
            pass
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        if not text.strip():
            continue
        click.echo(json.dumps(understanding_json(interpreter.parse(text, now=now)), ensure_ascii=False))


@nlu_group.command("eval")
@_config_option
@_backend_option
@click.option("--folds", "k", type=click.IntRange(2, 20), default=5, show_default=True, help="交叉验证折数")
def eval_command(config_path: Path, backend: str | None, k: int) -> None:
    """k 折交叉验证：每个意图和报修类别的精确率、召回率、F1，以及最常混淆的意图对和例句。"""
    from nlu.evaluation import cross_validate, embedded_trainer, format_report
    from nlu.training_data import load_training_data

    settings = load_settings(config_path, backend)
    data = load_training_data(settings.data_path)
    progress = lambda message: click.echo(message, err=True)  # noqa: E731
    if settings.backend == "rasa":
        from nlu.rasa_evaluation import RasaFolds

        with RasaFolds(progress=progress) as rasa:
            report = cross_validate(data, rasa.trainer, k, progress)
    else:
        report = cross_validate(data, embedded_trainer, k, progress)
    click.echo(format_report(report, settings.backend))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(nlu_group())
