"""One engine for every form: ask only for what is missing, take answers in any order and several at
once, let the resident correct any of them, and confirm before anything is created.

A form's progress lives in the resident's dialogue row (`dialogue_states.slots["form"]`), never in
process memory, so a conversation survives restarts and may hop between web workers. A form put aside
for another topic waits in `slots["suspended"]` and comes back when that topic is done.

Confirmation rule: when every value came from the resident's own first message, the form completes at
once (its reply says how to undo); when a value was defaulted (registered address), inferred (a
location message) or the form took several turns, it shows a summary and asks 对吗？ first.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Callable

from handlers import answers
from handlers.turn import Outcome, Turn
from nlu.entities import extract_choice

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

CONFIRM = "_confirm"  # `asking` while the summary waits for 是
FIX = "_fix"  # `asking` while the resident picks what to change
SOURCE = "_source"  # a filler may set it to "inferred" (e.g. a place read from a location message)
MAX_SUSPENDED = 2
CONFIRM_QUESTION = "对吗？回复“是”提交，或直接说要改的地方"
GIVE_UP = "抱歉，我没能听明白，这件事先放下了。您可以换个说法重新告诉我，或回复“帮助”看看我能做什么。"


@dataclass(frozen=True)
class Ask:
    """A slot needs a (possibly numbered) answer before the form can go on."""

    prompt: str
    choices: tuple[str, ...] = ()  # labels shown as 1. 2. 3.; the answer's index comes back in `pending`
    pending: dict = field(default_factory=dict)  # what the slot needs to read the answer (kept in the row)
    hint: str = "回复数字即可"
    # Only picks between readings of what the resident already said (which 3号楼?): answering it
    # adds nothing new, so it does not by itself make the form confirm before creating.
    clarifies: bool = False

    def render(self) -> str:
        if not self.choices:
            return self.prompt
        lines = [self.prompt] + [f"{i}. {label}" for i, label in enumerate(self.choices, 1)]
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


# A slot filler reads the turn and the values so far and returns new values (including one under the
# slot's own name; a None value clears that key), an Ask, or None.
# `asked` is None unless this slot's question is the one being answered; then it is the Ask's
# `pending` data ({} for a plain question). A filler that is not asked takes only explicit cues
# (a building number, a phone number), so a bare "2" or "是" never lands in the wrong slot.
Filler = Callable[[Turn, dict, "dict | None", "UnitOfWork"], "dict | Ask | None"]
# A default fills a missing slot from what is known about the resident (registered address, phone).
Defaulter = Callable[[Turn, dict, "UnitOfWork"], "dict | None"]


@dataclass(frozen=True)
class Slot:
    name: str
    prompt: str
    fill: Filler
    label: str = ""  # the summary shows "label：value"; empty hides the slot from the summary
    optional: bool = False
    ask_once: bool = False  # optional, yet asked once; any answer that does not fill it skips it
    free_text: bool = False  # takes the whole message: when asked, or from the form's first message
    default: Defaulter | None = None
    default_confirms: bool = True  # a defaulted value makes the form confirm before completing
    needed: Callable[[dict], bool] | None = None  # asked only when this holds (meeting time if mediation)
    show: Callable[[dict], "str | None"] | None = None  # the value as the summary shows it
    yes_no: bool = False  # answered yes/no: 不用了 answers it instead of cancelling the form
    # A numbered question instead of `prompt`; an Outcome instead ends the form with that reply.
    question: Callable[[Turn, dict, "UnitOfWork"], "Ask | Outcome"] | None = None
    # Said before the question asked again, instead of 抱歉，我没听明白 (明天不在家: 好的，明天不方便。)
    not_filled: Callable[[Turn], "str | None"] | None = None

    def ask(self, turn: Turn, values: dict, uow: "UnitOfWork") -> "Ask | Outcome":
        return self.question(turn, values, uow) if self.question is not None else Ask(self.prompt)

    def applies(self, values: dict) -> bool:
        return self.needed is None or bool(self.needed(values))

    def shown(self, values: dict) -> str | None:
        if not self.label or self.name not in values:
            return None
        if self.show is not None:
            return self.show(values)
        value = values.get(self.name)
        return str(value) if value not in (None, "") else None


@dataclass(frozen=True)
class Form:
    name: str
    title: str  # what the resident hears it called: 报修, 纠纷调解, 跑腿
    slots: tuple[Slot, ...]
    on_complete: Callable[[dict, Turn, "UnitOfWork"], Outcome]
    intent: str | None = None  # the intent that starts it: saying it again is not a change of topic
    confirm: bool = True
    cancel_words: tuple[str, ...] = ("取消", "算了", "不报了", "不用了", "不办了", "不要了", "撤销", "撤回")
    cancel_reply: str = "好的，已取消。有需要随时再说。"
    on_cancel: Callable[[dict, Turn, "UnitOfWork"], Outcome] | None = None
    expires_after: timedelta | None = None  # None: the dialogue default from settings
    max_asks: int = 3  # after this many unanswerable replies to one question, stop and explain
    sticky: bool = True  # False: a message that fills nothing drops the form and is routed afresh
    summary_title: str = ""  # default: 请核对您的{title}：
    confirm_question: str = CONFIRM_QUESTION
    no_reply: str | None = None  # set: a plain 不 to the summary ends the form with this reply

    def slot(self, name: str | None) -> Slot | None:
        return next((s for s in self.slots if s.name == name), None)


FORMS: dict[str, Form] = {}


def register(form: Form) -> Form:
    if form.name in FORMS:
        raise ValueError(f"form {form.name!r} registered twice")
    names = [s.name for s in form.slots]
    if len(set(names)) != len(names) or {CONFIRM, FIX} & set(names):
        raise ValueError(f"form {form.name!r} has duplicate or reserved slot names")
    FORMS[form.name] = form
    return form


# ── the dialogue row ────────────────────────────────────────────────────────────────────────────
# state.slots = {"form": {...the active form's progress...}, "suspended": [{...}, ...], ...}.
# JSON columns only notice new objects, so every write assigns a fresh dict.


def _progress(turn: Turn) -> dict:
    data = dict((turn.state.slots or {}).get("form") or {})
    data["values"] = dict(data.get("values") or {})
    data["sources"] = dict(data.get("sources") or {})
    data["asked"] = list(data.get("asked") or [])
    return data


def _write(turn: Turn, **parts: Any) -> None:
    slots = {**(turn.state.slots or {}), **parts}
    turn.state.slots = {k: v for k, v in slots.items() if v not in (None, [], {})}


def _save(form: Form, turn: Turn, data: dict) -> None:
    turn.state.form = form.name
    _write(turn, form=data)
    turn.state.expires_at = turn.now + (form.expires_after or turn.settings.dialogue_expires_after)


def active(turn: Turn) -> Form | None:
    return FORMS.get(turn.state.form) if turn.state.form else None


def asking(turn: Turn) -> str | None:
    return (turn.state.slots or {}).get("form", {}).get("asking")


def pending_question(turn: Turn) -> str | None:
    """The question the active form last asked, as the resident read it."""
    return _progress(turn).get("question")


def finish(turn: Turn) -> None:
    """End the active form; a form put aside stays waiting (see `resume`)."""
    turn.state.form = None
    _write(turn, form=None)
    turn.state.expires_at = _suspended_expiry(turn)


def clear(turn: Turn) -> None:
    """Forget every form, active and put aside (expiry, unsubscribing)."""
    turn.state.form = None
    turn.state.slots = {}
    turn.state.expires_at = None


def _suspended_expiry(turn: Turn):
    waiting = (turn.state.slots or {}).get("suspended") or []
    if not waiting:
        return None
    form = FORMS.get(waiting[-1].get("name"))
    expires_after = (form.expires_after if form else None) or turn.settings.dialogue_expires_after
    return turn.now + expires_after


# ── starting, advancing, completing ─────────────────────────────────────────────────────────────


def start(form: Form, turn: Turn, uow: "UnitOfWork", *, values: dict | None = None,
          sources: dict | None = None) -> Outcome:
    """Open the form on this turn: fill what the message already says, ask for the rest."""
    data = {"values": dict(values or {}), "sources": dict(sources or {}), "turn": 0, "asked": []}
    turn.state.form = form.name
    _write(turn, form=data)
    return advance(form, turn, uow)


def advance(form: Form, turn: Turn, uow: "UnitOfWork") -> Outcome | None:
    """Feed this turn to the active form. None: a non-sticky form did not take the message."""
    data = _progress(turn)
    if not data.pop("clarifying", False):
        data["turn"] = int(data.get("turn", 0)) + 1
    if data.get("asking") == CONFIRM:
        return _answer_confirmation(form, turn, uow, data)
    if data.get("asking") == FIX:
        return _answer_fix(form, turn, uow, data)
    named = _slot_named(form, data["values"], turn.text)
    if named is not None and named.name != data.get("asking") and _only_names_a_slot(named, turn.text):
        # 时间不对 while asked how to pay: that answer first, then back to the question
        return _ask(form, turn, data, named.name, named.ask(turn, data["values"], uow))
    _defaults(form, turn, uow, data)  # first, so fillers read the message knowing the resident's community
    changed, ask = _fill(form, turn, uow, data)
    asked_slot = form.slot(data.get("asking"))
    skipped = asked_slot is not None and asked_slot.optional and (
        answers.is_skip(turn.text) or answers.is_no(turn.text, turn.understanding))
    if not form.sticky and not changed and ask is None and not skipped:
        finish(turn)
        return None
    if ask is not None:
        return _ask(form, turn, data, *ask)
    return _next(form, turn, uow, data, changed)


def _fill(form: Form, turn: Turn, uow: "UnitOfWork", data: dict) -> tuple[set[str], tuple[str, Ask] | None]:
    """Run every slot's filler; returns the slots whose values changed and the first question raised."""
    values, sources = data["values"], data["sources"]
    asking_now, pending = data.get("asking"), data.get("pending") or {}
    opening = data["turn"] == 1
    changed: set[str] = set()
    first_ask: tuple[str, Ask] | None = None
    for slot in form.slots:
        if not slot.applies(values):
            continue
        asked = slot.name == asking_now
        if slot.free_text and not asked and (slot.name in values or not opening):
            continue
        result = slot.fill(turn, values, pending if asked else None, uow)
        if isinstance(result, Ask):
            first_ask = first_ask or (slot.name, result)
            continue
        if not result:
            continue
        result = dict(result)
        source = result.pop(SOURCE, "said")
        if asked or slot.name not in values or any(values.get(k) != v for k, v in result.items()):
            values.update({k: v for k, v in result.items() if v is not None})
            for key in [k for k, v in result.items() if v is None]:
                values.pop(key, None)  # None clears a value (a new community drops the meeting chosen)
            sources[slot.name] = source
            changed.add(slot.name)  # an answer to the question counts even when it repeats the value
        elif sources.get(slot.name) == "default":
            sources[slot.name] = source  # said in so many words: no longer only a default
    return changed, first_ask


def _next(form: Form, turn: Turn, uow: "UnitOfWork", data: dict, changed: set[str], note: str = "") -> Outcome:
    """Ask for the first thing still missing; otherwise confirm or complete."""
    values = data["values"]
    asked = form.slot(data.get("asking"))
    if asked is not None and asked.applies(values) and asked.name not in changed and not changed:
        if not asked.optional or asked.name not in data["asked"]:
            excuse = asked.not_filled(turn) if asked.not_filled is not None else None
            return _ask(form, turn, data, asked.name, _same_question(data) or asked.ask(turn, values, uow), repeat=True,
                        excuse=excuse)
    _defaults(form, turn, uow, data)
    if asked is not None and changed and asked.name not in changed and not note:
        note = _heard_note(form, values, changed)  # 2个人 while asked which meeting: heard, then asked again
    for slot in form.slots:
        if not slot.applies(values) or slot.name in values:
            continue
        if slot.optional:
            if slot.ask_once and slot.name not in data["asked"]:
                return _ask(form, turn, data, slot.name, slot.ask(turn, values, uow), note=note)
            continue
        return _ask(form, turn, data, slot.name, slot.ask(turn, values, uow), note=note)
    if form.confirm and needs_confirmation(form, data):
        return _ask(form, turn, data, CONFIRM, Ask(summary(form, values) + "\n" + form.confirm_question), note=note)
    return _complete(form, turn, uow, data)


def _heard_note(form: Form, values: dict, changed: set[str]) -> str:
    """好的，人数：2人。 for what a message gave instead of the answer asked for."""
    heard = [f"{slot.label}：{shown}" for slot in form.slots
             if slot.name in changed and not slot.free_text and (shown := slot.shown(values))]
    return f"好的，{'，'.join(heard)}。\n" if heard else ""


def _defaults(form: Form, turn: Turn, uow: "UnitOfWork", data: dict) -> None:
    """Fill missing slots from what is known about the resident; what they say overrides it."""
    values, sources = data["values"], data["sources"]
    for slot in form.slots:
        if slot.default is None or slot.name in values or not slot.applies(values):
            continue
        found = slot.default(turn, values, uow)
        if found:
            values.update(found)
            sources[slot.name] = "default"


def _same_question(data: dict) -> Ask | None:
    """The question last asked, with its numbered choices, to ask again."""
    if not data.get("question"):
        return None
    return Ask(data["question"], pending=data.get("pending") or {})


def needs_confirmation(form: Form, data: dict) -> bool:
    if int(data.get("turn", 1)) > 1:
        return True
    for slot in form.slots:
        source = data["sources"].get(slot.name)
        if not slot.applies(data["values"]) or source is None:
            continue
        if source == "inferred" or (source == "default" and slot.default_confirms):
            return True
    return False


def summary(form: Form, values: dict) -> str:
    lines = [form.summary_title or f"请核对您的{form.title}："]
    lines += [f"{slot.label}：{shown}" for slot in form.slots if slot.applies(values) and (shown := slot.shown(values))]
    return "\n".join(lines)


def _complete(form: Form, turn: Turn, uow: "UnitOfWork", data: dict) -> Outcome:
    finish(turn)
    return form.on_complete(data["values"], turn, uow)


def _ask(form: Form, turn: Turn, data: dict, slot_name: str, ask: Ask | Outcome, *, repeat: bool = False,
         note: str = "", excuse: str | None = None) -> Outcome:
    if isinstance(ask, Outcome):  # the question cannot be asked (no meeting to choose from): stop here
        finish(turn)
        return Outcome(note + (ask.reply or ""))
    asks = int(data.get("asks", 0)) + 1 if repeat else 1
    if asks > form.max_asks:
        finish(turn)
        return Outcome(GIVE_UP)
    question = ask.render()
    data.update(asking=slot_name, pending=ask.pending or None, asks=asks, question=question)
    if ask.clarifies:
        data["clarifying"] = True
    if slot_name not in data["asked"]:
        data["asked"].append(slot_name)
    _save(form, turn, data)
    prefix = (excuse or "抱歉，我没听明白。") if repeat and slot_name != CONFIRM else ""
    return Outcome(note + prefix + question)


def ask_again(form: Form, turn: Turn, values: dict, slot_name: str, ask: Ask, *, note: str = "") -> Outcome:
    """From on_complete: something changed meanwhile (the meeting filled up); reopen one slot."""
    data = {"values": {k: v for k, v in values.items() if k != slot_name}, "sources": {}, "turn": 2, "asked": []}
    turn.state.form = form.name
    return _ask(form, turn, data, slot_name, ask, note=note)


# ── confirmation and corrections ────────────────────────────────────────────────────────────────

_FIX_WORDS = {"改", "修改", "要改", "改一下", "有错", "不全对"}


def _answer_confirmation(form: Form, turn: Turn, uow: "UnitOfWork", data: dict) -> Outcome:
    had = {slot.name for slot in form.slots if slot.shown(data["values"]) is not None}
    changed, ask = _fill(form, turn, uow, data)
    if ask is not None:
        return _ask(form, turn, data, *ask)
    if changed:
        return _next(form, turn, uow, data, changed, note=_changed_note(changed, had))
    named = _slot_named(form, data["values"], turn.text)
    if named is not None and _only_names_a_slot(named, turn.text):  # 对方 / 对方不对: not 对
        return _ask(form, turn, data, named.name, named.ask(turn, data["values"], uow))
    if answers.is_yes(turn.text, turn.understanding):
        return _complete(form, turn, uow, data)
    if named is not None:
        return _ask(form, turn, data, named.name, named.ask(turn, data["values"], uow))
    added = _added_detail(form, turn, uow, data)
    if added is not None:
        return _next(form, turn, uow, data, {added}, note="好的，已补充。\n")
    said_no = answers.is_no(turn.text, turn.understanding)
    if said_no and form.no_reply is not None:
        finish(turn)
        return Outcome(form.no_reply)
    if said_no or answers.said(turn.text, _FIX_WORDS):
        return _ask_fix(form, turn, data)
    return _ask(form, turn, data, CONFIRM, Ask(f"{summary(form, data['values'])}\n{form.confirm_question}"),
                repeat=True)


def _added_detail(form: Form, turn: Turn, uow: "UnitOfWork", data: dict) -> str | None:
    """不对，是楼上往下漏 at the confirmation, filling no other slot: what the resident adds goes with the
    description they gave (the form's free-text slot), so the worker reads both. Returns that slot's name."""
    if not answers.is_correction(turn.text):
        return None
    values = data["values"]
    slot = next((s for s in form.slots if s.free_text and s.applies(values) and values.get(s.name)), None)
    if slot is None:
        return None
    rest = answers.correction_rest(turn.text)
    result = slot.fill(dataclasses.replace(turn, text=rest), values, {}, uow)  # read as an answer to its question
    detail = result.get(slot.name) if isinstance(result, dict) else None
    if not detail or detail in values[slot.name]:
        return None
    values[slot.name] = f"{values[slot.name]}；{detail}"
    data["sources"][slot.name] = "said"
    return slot.name


def _changed_note(changed: set[str], had: set[str] | None = None) -> str:
    if changed == {"photos"}:
        return "照片收到了。\n"
    if had is not None and not changed & had:
        return "好的，已补上。\n"  # a phone number given at the summary was added, not changed
    return "好的，已改过来了。\n"


def _fixable(form: Form, values: dict) -> list[Slot]:
    return [s for s in form.slots if s.applies(values) and s.shown(values) is not None]


def _ask_fix(form: Form, turn: Turn, data: dict, *, repeat: bool = False) -> Outcome:
    slots = _fixable(form, data["values"])
    return _ask(form, turn, data, FIX, Ask("哪一项要改？", choices=tuple(s.label for s in slots),
                                           pending={"slots": [s.name for s in slots]}), repeat=repeat)


def _answer_fix(form: Form, turn: Turn, uow: "UnitOfWork", data: dict) -> Outcome:
    names = (data.get("pending") or {}).get("slots") or []
    changed, ask = _fill(form, turn, uow, data)
    if ask is not None:
        return _ask(form, turn, data, *ask)
    if changed:
        return _next(form, turn, uow, data, changed, note=_changed_note(changed))
    index = extract_choice(turn.text, len(names))
    slot = form.slot(names[index - 1]) if index else _slot_named(form, data["values"], turn.text)
    if slot is not None:
        return _ask(form, turn, data, slot.name, slot.ask(turn, data["values"], uow))
    if answers.is_yes(turn.text, turn.understanding) or answers.said(turn.text, {"没有", "都对", "不用改", "没有了"}):
        return _ask(form, turn, data, CONFIRM, Ask(summary(form, data["values"]) + "\n" + form.confirm_question))
    return _ask_fix(form, turn, data, repeat=True)


def _slot_named(form: Form, values: dict, text: str) -> Slot | None:
    """"地址不对" / "电话要改": the slot whose label the resident names."""
    cleaned = answers.cleaned(text)
    if len(cleaned) > 12:
        return None
    for slot in _fixable(form, values):
        words = {slot.label} | set(SLOT_SYNONYMS.get(slot.label, ()))
        if any(word and word in cleaned for word in words):
            return slot
    return None


_WRONG = ("", "不对", "错了", "有错", "写错了", "要改", "改一下", "改改", "不是")


def _only_names_a_slot(slot: Slot, text: str) -> bool:
    """The message is the slot's name, alone or with "wrong" (对方 / 地址不对 / 电话要改), and so no yes:
    the model reads 对方 as 对 (affirm)."""
    cleaned = answers.cleaned(text)
    words = {slot.label} | set(SLOT_SYNONYMS.get(slot.label, ()))
    return any(cleaned in (word + wrong, wrong + word) for word in words if word for wrong in _WRONG)


SLOT_SYNONYMS = {
    "地点": ("地址", "位置", "楼号", "房号", "门牌", "住址"),
    "电话": ("手机", "号码", "联系方式"),
    "问题": ("描述", "情况", "事情"),
    "类别": ("类型", "分类"),
    "时间": ("时候", "几点", "日子"),
    "送到": ("地址", "送哪", "位置"),
    "人数": ("几个人", "几位", "人"),
}


# ── cancelling ──────────────────────────────────────────────────────────────────────────────────


def is_cancel(form: Form, turn: Turn) -> bool:
    """A cancel word ends the form; but 不用了/算了 answering a yes-no or skippable question is an answer."""
    word = answers.plain(turn.text)
    if not any(word == w or word.startswith(w) for w in form.cancel_words):
        return False
    slot = form.slot(asking(turn))
    if slot is not None and (slot.yes_no or slot.optional) and not word.startswith(("取消", "撤")):
        return not (answers.is_no(turn.text) or answers.is_skip(turn.text))
    return True


def cancel(form: Form, turn: Turn, uow: "UnitOfWork") -> Outcome:
    data = _progress(turn)
    finish(turn)
    if form.on_cancel is not None:
        return form.on_cancel(data["values"], turn, uow)
    return Outcome(form.cancel_reply)


# ── another topic in the middle ─────────────────────────────────────────────────────────────────


def would_fill(form: Form, turn: Turn, uow: "UnitOfWork") -> bool:
    """Whether the message answers the question asked or carries a value for the form (read only)."""
    data = _progress(turn)
    values = dict(data["values"])
    asked = form.slot(data.get("asking"))
    for slot in form.slots:
        if not slot.applies(values) or (slot.free_text and slot is not asked):
            continue
        pending = (data.get("pending") or {}) if slot is asked else None
        result = slot.fill(turn, values, pending, uow)
        if isinstance(result, Ask) or (result and any(values.get(k) != v for k, v in result.items() if k != SOURCE)):
            return True
    return False


def suspend(turn: Turn) -> Form | None:
    """Put the active form aside (to come back to it after another topic); drops non-sticky forms."""
    form = active(turn)
    if form is None:
        return None
    data = _progress(turn)
    waiting = list((turn.state.slots or {}).get("suspended") or [])
    if form.sticky:
        waiting = (waiting + [{"name": form.name, **data}])[-MAX_SUSPENDED:]
    turn.state.form = None
    _write(turn, form=None, suspended=waiting)
    return form if form.sticky else None


def resume(turn: Turn) -> str | None:
    """After a topic ends: bring back the form put aside and repeat its question (None: nothing waits)."""
    if turn.state.form is not None:
        return None
    waiting = list((turn.state.slots or {}).get("suspended") or [])
    while waiting:
        data = waiting.pop()
        form = FORMS.get(data.pop("name", None))
        if form is None:
            continue
        data["asks"] = 0
        _write(turn, suspended=waiting)
        _save(form, turn, data)
        question = data.get("question") or ""
        return f"接着说刚才的{form.title}：\n{question}".rstrip()
    _write(turn, suspended=None)
    return None


def waiting_titles(turn: Turn) -> list[str]:
    titles = [f.title for f in [active(turn)] if f is not None]
    for data in (turn.state.slots or {}).get("suspended") or []:
        form = FORMS.get(data.get("name"))
        if form is not None:
            titles.append(form.title)
    return titles


def expect(form: Form, turn: Turn, slot_name: str, values: dict, question: str) -> None:
    """Open a form that waits for one answer to a question already in the reply (after a case is
    created: the phone number)."""
    data = {"values": dict(values), "sources": {}, "turn": 1, "asked": [slot_name], "asking": slot_name,
            "asks": 1, "question": question}
    _save(form, turn, data)
