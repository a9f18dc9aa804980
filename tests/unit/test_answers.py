"""Short answers as residents give them: dialect, no punctuation, particles."""
from __future__ import annotations

import pytest

from handlers import answers


@pytest.mark.parametrize("text", ["是", "是的", "对", "对的！", "对对对", "嗯", "嗯呐", "中", "行", "好嘞", "可以的", "没问题",
                                  "是滴", "就这样吧", "妥了", "OK"])
def test_yes_in_many_forms(text):
    assert answers.is_yes(text) and not answers.is_no(text)


@pytest.mark.parametrize("text", ["不", "不是", "不对", "错了", "不用", "不用了", "不要", "甭了", "不需要"])
def test_no_in_many_forms(text):
    assert answers.is_no(text) and not answers.is_yes(text)


@pytest.mark.parametrize("text", ["502", "3号楼", "帮我买药", "不对，是502", "是2单元"])
def test_other_answers_are_neither(text):
    assert not answers.is_yes(text) and not answers.is_no(text)


@pytest.mark.parametrize(
    "text, rest",
    [("不对，是502", "502"), ("不对是502", "502"), ("应该是601", "601"), ("房号是502", "502"), ("改成明天下午", "明天下午"),
     ("电话是13912345678", "13912345678"), ("5号楼", "5号楼")],
)
def test_a_correction_is_read_after_its_opening_words(text, rest):
    assert answers.correction_rest(text) == rest


def test_a_yes_or_no_leading_a_longer_answer_is_found():
    assert answers.first_clause("不用，你们去跟他说说就行") == "不用"
    assert answers.is_no(answers.first_clause("不用，你们去跟他说说就行"))
