"""Workers act by chat: “签收 R20261124-0001”, “办结 R20261124-0001 已更换阀门”, 退回/转派/上报/进展.

Checked before forms and intents, and only for staff whose message starts with a command word and
names a case number; everything else goes on to the resident's conversation as usual.
"""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from handlers import case_actions, case_facts, worker_cases
from handlers.case_lifecycle import ACTION_LABELS, IllegalTransition, staff_actor
from handlers.timezone import short_time
from handlers.turn import Outcome, Turn
from nlu.entities import extract_case_number

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# Command word → action; several words people use for the same thing.
COMMANDS = {
    "签收": "accept", "已签收": "accept", "接单": "accept", "抢单": "accept", "领单": "accept",
    "办结": "resolve", "完成": "resolve", "已办结": "resolve", "办完": "resolve",
    "退回": "return", "退单": "return",
    "转派": "transfer", "转交": "transfer", "转给": "transfer",
    "上报": "escalate", "督办": "escalate",
    "进展": "note", "备注": "note", "跟进": "note",
}
_COMMAND = re.compile(r"^\s*(" + "|".join(sorted(COMMANDS, key=len, reverse=True)) + r")")
_CASE_NO = re.compile(r"[RrDdEe]\s*20\d{6}\s*[-_—–]?\s*\d{4}")
_PUNCTUATION = " \t\n:：,，。.;；、"
USAGE = (
    "工作指令的写法：\n"
    "签收 R20261124-0001\n"
    "办结 R20261124-0001 已更换阀门\n"
    "退回 R20261124-0001 不属于工程类\n"
    "转派 R20261124-0001 赵师傅\n"
    "上报 R20261124-0001 需要社区协调\n"
    "进展 R20261124-0001 已约好明早上门\n"
    "手上只有一件能办的工单时可以不写编号（签收 / 办结 已更换阀门）；回复“我的工单”看手上的工单。"
)
_USAGE_WORDS = re.compile(r"^\s*(?:工作)?(?:指令|命令)(?:怎么用|怎么写|帮助)?\s*[?？]?\s*$")


def parse(text: str) -> tuple[str, str, str] | None:
    """(action, case number, the rest) when the text is a worker command naming a case, else None."""
    command = _COMMAND.match(text or "")
    number = extract_case_number(text or "")
    if command is None or number is None:
        return None
    rest = _CASE_NO.sub(" ", text[command.end():], count=1).strip(_PUNCTUATION)
    return COMMANDS[command.group(1)], number, rest


# 签收 / 接单了 / 办结：已更换阀门: a command word alone, or with what to say after a separator (完成了吗 is not one).
_BARE = re.compile(r"^\s*(" + "|".join(sorted(COMMANDS, key=len, reverse=True)) + r")[了啦]?\s*(?:$|[\s:：,，]+(.+))", re.S)
_MY_CASES = re.compile(r"^\s*(?:我的)?(?:工单|待办|任务|单子)(?:列表)?\s*[?？]?\s*$|^\s*我的(?:工单|待办|任务|单子)")


def parse_bare(text: str) -> tuple[str, str, str] | None:
    """(action, the rest, the word typed) for a command without a case number: 签收 / 办结 已更换阀门."""
    match = _BARE.match(text or "")
    if match is None or extract_case_number(text or "") is not None:
        return None
    return COMMANDS[match.group(1)], (match.group(2) or "").strip(_PUNCTUATION), match.group(1)


def handle(turn: Turn, uow: "UnitOfWork") -> Outcome | None:
    """The reply to a worker's command, or None when this message is not one (it goes on to routing)."""
    parsed = parse(turn.text)
    bare = parse_bare(turn.text) if parsed is None else None
    asks_list = parsed is None and bare is None and bool(_MY_CASES.match(turn.text or ""))
    asks_usage = parsed is None and bare is None and bool(_USAGE_WORDS.match(turn.text or ""))
    if parsed is None and bare is None and not asks_list and not asks_usage:
        return None
    staff = uow.directory.staff_by_openid(turn.resident.openid)
    if staff is None or not staff.active:
        return None
    if asks_usage:
        return Outcome(USAGE)
    actor = staff_actor(staff)
    if asks_list:
        cases = worker_cases.in_hand(staff, uow)
        if not cases:
            return Outcome("您手上现在没有未办完的工单。")
        return Outcome(worker_cases.listing(cases, turn.now, head=f"您手上有{len(cases)}件工单："))
    if bare is not None:
        action, rest, word = bare
        fitting = worker_cases.for_action(staff, actor, action, uow)
        if not fitting:
            return Outcome(f"您现在没有可以{ACTION_LABELS[action]}的工单。回复“我的工单”看手上的工单。")
        if len(fitting) > 1:
            return Outcome(worker_cases.choose(fitting, word, turn.now))  # 接单 R… as they typed it
        parsed = action, fitting[0].number, rest  # the one case it can mean
    action, number, rest = parsed
    case = uow.cases.by_number(number)
    if case is None:
        return Outcome(f"没有找到工单 {number}，请核对编号。")
    try:
        reply = _ACTIONS[action](case, actor, rest, turn, uow)
    except IllegalTransition as refused:
        log.info("worker_command.refused case=%s action=%s", number, action)
        return Outcome(f"{refused}。")
    log.info("worker_command.done case=%s action=%s state=%s", number, action, case.state)
    return Outcome(reply)


def _accept(case, actor, rest, turn, uow) -> str:
    grabbing = case.assignee_id is None
    case_actions.accept(case, actor, uow, at=turn.now, note=rest)
    due = f"，请在{short_time(case.resolve_due_at, now=turn.now)}前办结" if case.resolve_due_at else ""
    done = "抢单成功" if grabbing else "已签收"
    told = case_facts.briefing(case)  # whom to call and when they are free, without opening the case page
    return (f"{done}：{case.number}（{case.description[:30]}）{due}。{told + '。' if told else ''}"
            f"办完回复“办结 {case.number} 办理结果”。")


def _resolve(case, actor, rest, turn, uow) -> str:
    if not rest:
        return f"请写上办理结果，如：办结 {case.number} 已更换阀门"
    case_actions.resolve(case, actor, rest, uow, at=turn.now, settings=turn.settings)
    return f"已办结：{case.number}。已请居民评价，辛苦了！"


def _return(case, actor, rest, turn, uow) -> str:
    if not rest:
        return f"请写上退回原因，如：退回 {case.number} 不属于工程类"
    case_actions.return_case(case, actor, rest, uow, at=turn.now)
    return f"已退回：{case.number}，网格员会重新派单。"


def _transfer(case, actor, rest, turn, uow) -> str:
    candidates = [s for s in uow.directory.staff_of_community(case.community_id) if s.id != actor.staff_id]
    named = [s for s in candidates if s.name and s.name in rest]
    if len(named) != 1:
        names = "、".join(s.name for s in candidates if s.role in ("butler", "grid_worker", "mediator"))[:120]
        return f"请写明转给谁，如：转派 {case.number} 赵师傅。可选：{names}"
    to = named[0]
    reason = rest.replace(to.name, "").strip(_PUNCTUATION)
    case_actions.hand_over(case, actor, to, reason, uow, turn.settings, at=turn.now)
    return f"已转派：{case.number} 交给{to.name}。"


def _escalate(case, actor, rest, turn, uow) -> str:
    if not rest:
        return f"请写上上报原因，如：上报 {case.number} 需要社区协调"
    case_actions.escalate(case, actor, rest, uow, at=turn.now)
    return f"已上报：{case.number}，上级会督办。"


def _note(case, actor, rest, turn, uow) -> str:
    if not rest:
        return f"请写上进展，如：进展 {case.number} 已约好明早上门"
    case_actions.add_note(case, actor, rest, uow, at=turn.now)
    return f"已记录进展：{case.number}。"


_ACTIONS = {"accept": _accept, "resolve": _resolve, "return": _return, "transfer": _transfer,
            "escalate": _escalate, "note": _note}
