"""Short answers residents give inside a conversation: yes, no, skip, and "不对，是502" corrections.

Elderly residents and dictated messages answer with dialect and without punctuation (中, 行, 嗯呐,
对对对, 不用了); the NLU's affirm/deny intents back these word lists up.
"""
from __future__ import annotations

import re

from nlu import Understanding
from nlu.normalise import normalise

_EDGES = re.compile(r"^[\s，。！？、,.!?~～…]+|[\s，。！？、,.!?~～…]+$")
_TAIL = re.compile(r"(的|啊|呀|吧|呢|哈|嘛|呗|哦|噢|喔|了|啦)+$")
_HEAD = re.compile(r"^(嗯+|哦+|噢+|啊+)[，,\s]*")

YES = frozenset(
    "是 是的 是滴 对 对的 对头 对呀 没错 嗯 嗯嗯 嗯呐 中 中中 行 行行 成 好 好好 好的 好嘞 得嘞 可以 可以的 没问题 "
    "确认 确定 提交 就这样 就这么办 要 需要 要的 愿意 同意 妥 妥了 管 ok okay yes".split()
)
NO = frozenset(
    "不 不是 不对 不对的 错了 说错了 搞错了 不行 不要 不用 不需要 不想 不愿意 没有 没 否 no 不同意 算了 不用了 "
    "不必 不必了 免了 甭 甭了".split()
)
SKIP = frozenset("跳过 略过 不说了 不想说 不方便 没有 没 不用 不用了 不留 不留了 以后再说 下次再说 先不说 先不 算了".split())
# 不要取消 / 先别撤 / 不取消了 / 议事会报名别给我取消: the resident keeps what they have (要不取消吧 does not).
KEEP = re.compile(
    r"(?<!要)(?:不想|不要|不用|不必|不需要|甭|别|不)\s*(?:再)?(?:给我|帮我|给俺|帮俺)?"
    r"(?:取消|撤销|撤回|撤|退)"
)
# Words that open a correction: 不对，是502 / 应该是5号楼 / 改成明天下午.
_CORRECTION = re.compile(
    r"^(?:(?:不对|不是|错了|说错了|搞错了|写错了|打错了|更正一下|更正|纠正一下|纠正)[，,。\s]*)?"
    r"(?:(?:房号|房间号?|门牌号?|地址|住址|楼号|电话|手机号?|号码|时间)\s*)?"
    r"(?:(?:应该是|应该|改成|改为|改到|换成|其实是|是|为)\s*)?"
)


_CORRECTION_OPENING = re.compile(r"^(?:不对|不是|错了|说错了|搞错了|写错了|打错了|更正|纠正)")


def is_correction(text: str) -> bool:
    """Whether the message opens with a correction word and goes on: 不对，是楼上往下漏 (不对 alone is a no)."""
    text = _EDGES.sub("", normalise(text))
    return bool(_CORRECTION_OPENING.match(text)) and correction_rest(text) != text


def plain(text: str) -> str:
    """Lower case without edge punctuation: "算了！" -> "算了"."""
    return _EDGES.sub("", normalise(text))


def said(text: str, words) -> bool:
    """Whether the message is one of `words`, with or without trailing particles."""
    return plain(text) in words or cleaned(text) in words


def cleaned(text: str) -> str:
    """Lower case, no edge punctuation, no trailing particles: "对的！" -> "对", "嗯，好吧" -> "好"."""
    text = _EDGES.sub("", normalise(text))
    text = _HEAD.sub("", text) if len(text) > 1 else text
    stripped = _TAIL.sub("", text)
    return stripped or text


def is_yes(text: str, understanding: Understanding | None = None) -> bool:
    word = cleaned(text)
    if said(text, YES) or (len(word) <= 4 and word[:1] in {"对", "是", "好", "行", "中", "嗯"} and word not in NO
                       and all(ch in "对是好行中嗯的呀啊呐嘞" for ch in word)):
        return True
    return bool(
        understanding is not None and understanding.intent == "affirm" and understanding.confident
        and len(word) <= 6 and not is_no(text)
    )


def is_no(text: str, understanding: Understanding | None = None) -> bool:
    word = cleaned(text)
    if said(text, NO):
        return True
    return bool(
        understanding is not None and understanding.intent == "deny" and understanding.confident and len(word) <= 4
    )


# 付款不对 / 对方写错了 / 时间要改: says something is wrong and nothing else.
_OBJECTION = re.compile(r"^.{0,4}?(?:不对|错了|有错|写错了|搞错了|要改|得改|改一下|不是这样)$")


def only_objects(text: str) -> bool:
    """The message only says something is wrong (付款不对): no answer to a question, even in free words."""
    return is_no(text) or bool(_OBJECTION.match(cleaned(text)))


def is_skip(text: str) -> bool:
    return said(text, SKIP)


_CLAUSE = re.compile(r"[，,。.!！？?；;\s]")


def first_clause(text: str) -> str:
    """"不用，你们去说说就行" -> "不用": a yes or no often leads a longer answer."""
    return _CLAUSE.split(plain(text), maxsplit=1)[0]


def correction_rest(text: str) -> str:
    """What a correction says after its opening words: "不对，是502" -> "502"; other text unchanged."""
    text = _EDGES.sub("", normalise(text))
    rest = _CORRECTION.sub("", text, count=1)
    return rest or text


def keeps(text: str) -> bool:
    """Whether the message says NOT to cancel: 不要取消, 先别撤, 报名别给我取消."""
    return bool(KEEP.search(normalise(text or "")))
