"""Which form or handler takes a message: cancel words, then the active form, then the intent.

Inside a form, a question about something else (进度, 帮助) is answered and the form's question asked
again; a new errand, repair or dispute puts the form aside and it comes back when that is done.
Keyword rules catch what the NLU does not know or misreads, on the NLU's confidence scale.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers import (
    answers, attachments, cancellation, consultation, dispute, errand, feedback, forms, guess, locations,
    registration, repair, smalltalk, status, worker_commands,
)
from handlers.turn import Outcome, Turn

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

Handler = Callable[[Turn, "UnitOfWork"], Outcome]

ROUTES: dict[str, Handler] = {
    "repair": repair.start,
    "dispute": dispute.start,
    "errand": errand.start,
    "consultation_signup": consultation.start,
    "query_status": status.handle,
    "feedback": feedback.start,
    "cancel": cancellation.handle,
    "greet": smalltalk.greet,
    "help": smalltalk.show_help,
    "out_of_scope": smalltalk.out_of_scope,
    "affirm": smalltalk.acknowledge,
    "deny": smalltalk.acknowledge,
}
# What residents ask for that is not an NLU intent.
COMMANDS: dict[str, Handler] = {
    "register": registration.start, "more": status.more, "consultation_topic": consultation.start_topic,
}
# Custom menu CLICK keys (config.yaml wechat.menu).
MENU: dict[str, Handler] = {
    "REPAIR": repair.start, "DISPUTE": dispute.start, "ERRAND": errand.start,
    "MEETING": consultation.start_signup, "TOPIC": consultation.start_topic, "STATUS": status.handle,
    "RATE": feedback.start, "REGISTER": registration.start, "HELP": smalltalk.show_help,
}
# Answered in the middle of a form, which then asks its question again.
ONE_SHOT = frozenset({"query_status", "help", "greet", "more"})
# Start a conversation of their own; the form in progress waits.
STARTERS = frozenset(
    {"repair", "dispute", "errand", "consultation_signup", "consultation_topic", "feedback", "register"}
)
SWITCH_FROM_OPEN_QUESTION = 0.85  # an answer to "what happened?" may sound like anything: be surer
EXPIRED_NOTE = "（您上次没说完的{title}已经超过{minutes}分钟，我先清掉了。需要的话请重新说。）\n"


@dataclass(frozen=True)
class Keyword:
    route: str
    pattern: re.Pattern
    confidence: float


KEYWORDS: tuple[Keyword, ...] = (
    # 我搬到5号楼了 / 地址改成… / 手机号换了… / 登记住址 (the NLU reads most of these as repairs)
    Keyword("register", re.compile(r"搬(到|去|家)|搬了家|(住址|地址|门牌).{0,3}(改|换|变|更新|登记)|"
                                   r"(改|换|变|更新|登记).{0,3}(住址|地址)|(手机|电话|号码).{0,4}(换|改|变)|"
                                   r"(换|改).{0,2}(手机|电话)号|^登记(一下)?$|^我住在?.{0,12}(号楼|栋|座|单元)"), 0.9),
    Keyword("more", re.compile(r"^(更多|还有呢|还有吗|还有没有|下一页|接着看|继续看|再看看|后面的|其他的)$"), 0.95),
    # 报修 alone: the NLU takes it for a progress question.
    Keyword("repair", re.compile(r"^(我|俺)?(要|想|需要)?(报修|报事|报个修|报事报修|找人修|修东西|维修)(一下)?$"), 0.9),
    Keyword("query_status", re.compile(r"^[rde]\s*20\d{6}\s*-?\s*\d{4}$|^(查|看)?(进度|进展)$"), 0.95),
    # The services by name, when the NLU is unsure (想找人调解一下 scores below the threshold).
    Keyword("dispute", re.compile(r"调解|纠纷|评评理|闹矛盾"), 0.7),
    Keyword("errand", re.compile(r"跑腿|代买|代购|代缴|帮.{0,2}(买|取|拿|送)"), 0.7),
    Keyword("consultation_signup", re.compile(r"议事|议题"), 0.7),
    # 议事会不去了 reads as a signup to the NLU.
    Keyword("cancel", re.compile(r"(议事|会|报名).{0,6}(不去|不参加|去不了|参加不了|取消)|(取消|撤销|退).{0,4}(报名|议事)|"
                                 r"^(我|俺)?(不去|不参加)了?$"), 0.9),
    # 一星，还是漏水: the NLU is unsure of ratings with complaints.
    Keyword("feedback", re.compile(r"^[1-5一二两三四五]\s*(颗)?星|[⭐★🌟]"), 0.8),
)


def check_routes() -> None:
    """Fail at startup, not mid-conversation, when a route or form is missing."""
    from nlu import INTENTS

    unknown = set(ROUTES) - set(INTENTS)
    if unknown:
        raise RuntimeError(f"routes for unknown intents: {sorted(unknown)}")
    missing = (ONE_SHOT | STARTERS | {k.route for k in KEYWORDS}) - set(ROUTES) - set(COMMANDS)
    if missing:
        raise RuntimeError(f"no handler for {sorted(missing)}")


def intended(turn: Turn) -> tuple[str | None, float]:
    """The best of the NLU's confident intent and the keyword rules."""
    best: tuple[str | None, float] = (None, 0.0)
    understanding = turn.understanding
    if understanding is not None and understanding.confident:
        best = (understanding.intent, understanding.confidence)
    texts = {answers.plain(turn.text), answers.cleaned(turn.text)} - {""} if turn.text else set()
    for keyword in KEYWORDS:
        if keyword.confidence > best[1] and any(keyword.pattern.search(text) for text in texts):
            best = (keyword.route, keyword.confidence)
    if best[0] == "consultation_signup" and consultation.about_topic(turn.text):
        best = ("consultation_topic", best[1])  # one intent, two conversations: a topic or a seat
    return best


def handler_for(intent: str | None) -> Handler:
    if intent is None:
        return smalltalk.not_understood
    return ROUTES.get(intent) or COMMANDS.get(intent) or smalltalk.not_understood


def route(turn: Turn, uow: "UnitOfWork") -> Outcome:
    """A text (or recognised voice) message."""
    command = worker_commands.handle(turn, uow)  # a worker's “签收 R…” comes before forms and intents
    if command is not None:
        return command
    note = _expire(turn)
    form = forms.active(turn)
    if _keeps(turn):
        question = forms.pending_question(turn) if form is not None else None
        return Outcome(note + (f"好的，不取消，咱们接着说：\n{question}" if question else cancellation.KEEP))
    if form is not None:
        outcome = _in_form(form, turn, uow)
        if outcome is not None:
            return _then_resume(turn, outcome, note)
    intent, _ = intended(turn)
    if registration.only_an_address(turn.text):  # 我住B座2单元1801, with no form to take it
        intent = "register"
    if intent is None and (guessed := guess.worth_asking(turn)) is not None:
        return _then_resume(turn, guess.ask(turn, uow, guessed), note)
    return _then_resume(turn, handler_for(intent)(turn, uow), note)


def attachment(turn: Turn, uow: "UnitOfWork") -> Outcome:
    """An image or a location: the open form takes it if it can use it."""
    note = _expire(turn)
    form = forms.active(turn)
    slot = "photos" if turn.msg_type == "image" else "location"
    if form is not None and form.slot(slot) is not None:
        outcome = forms.advance(form, turn, uow)
        if outcome is not None:
            return _then_resume(turn, outcome, note)
    if forms.active(turn) is not None:
        forms.suspend(turn)
    handle = attachments.image if turn.msg_type == "image" else attachments.location
    return _then_resume(turn, handle(turn, uow), note)


def menu_click(key: str | None, turn: Turn, uow: "UnitOfWork") -> Outcome:
    """A custom-menu CLICK starts its conversation; one in progress waits."""
    note = _expire(turn)
    if forms.active(turn) is not None:
        forms.suspend(turn)
    handler = MENU.get((key or "").upper(), smalltalk.show_help)
    return _then_resume(turn, handler(turn, uow), note)


def _keeps(turn: Turn) -> bool:
    """不要取消 / 先别撤 / 报名别给我取消: the words say cancel, the resident means keep. Only a message about
    cancelling at all: 邻居占我车位就是不退 is a dispute and 楼道的杂物一直不撤 a repair."""
    return answers.keeps(turn.text) and intended(turn)[0] in ("cancel", "deny")


def _expire(turn: Turn) -> str:
    """Drop a conversation left too long; the note tells the resident so."""
    state = turn.state
    if state.expires_at is None or turn.now < state.expires_at:
        return ""
    titles = forms.waiting_titles(turn)
    forms.clear(turn)
    if not titles:
        return ""
    minutes = int(turn.settings.dialogue_expires_after.total_seconds() // 60)
    return EXPIRED_NOTE.format(title=titles[0], minutes=minutes)


def _in_form(form: forms.Form, turn: Turn, uow: "UnitOfWork") -> Outcome | None:
    if forms.is_cancel(form, turn):
        return forms.cancel(form, turn, uow)
    intent, confidence = intended(turn)
    if not form.sticky:
        # A side question (where do you live? your phone?) gives way to a new request, and to a
        # question that does not answer it (我的电话是139… answers it, whatever the NLU thinks). An
        # address alone answers "where?" even when the NLU takes it for a repair.
        if intent is not None and intent != form.intent and (
            intent in STARTERS or (intent in ONE_SHOT and not forms.would_fill(form, turn, uow))
        ) and not locations.only_a_place(turn.text):
            forms.finish(turn)
            return None
        return forms.advance(form, turn, uow)  # None unless the message answers it: then routed afresh
    if intent is not None and intent != form.intent and intent in ONE_SHOT | STARTERS:
        # A message that answers the form stays with it, unless the NLU is quite sure it is another topic.
        # The answer to an open question (what happened?) may sound like a new repair or dispute: it
        # is an answer, and only a plain question (进度, 帮助) is taken as something else.
        asked = form.slot(forms.asking(turn))
        open_question = asked is not None and asked.free_text
        other_topic = confidence >= SWITCH_FROM_OPEN_QUESTION or not forms.would_fill(form, turn, uow)
        if other_topic and intent in ONE_SHOT:
            answer = handler_for(intent)(turn, uow)
            question = ((turn.state.slots or {}).get("form") or {}).get("question") or ""
            return Outcome(f"{answer.reply}\n\n刚才的{form.title}还没说完：\n{question}".rstrip())
        if other_topic and not open_question:
            forms.suspend(turn)
            return handler_for(intent)(turn, uow)
    return forms.advance(form, turn, uow)


def _then_resume(turn: Turn, outcome: Outcome, note: str = "") -> Outcome:
    """Add the expiry note, and bring back a form put aside once nothing else is being asked."""
    reply = note + (outcome.reply or "") if (note or outcome.reply) else None
    waiting = forms.resume(turn)
    if waiting:
        reply = f"{reply}\n\n{waiting}" if reply else waiting
    return Outcome(reply)
