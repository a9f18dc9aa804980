"""Greetings, help, out-of-scope and not-understood replies: short, warm, and always with a way on."""
from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.turn import Outcome, Turn

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

MENU = (
    "1. 报事报修：如“3号楼2单元501厨房水管漏水”\n"
    "2. 矛盾纠纷调解：如“楼上天天半夜蹦跶”\n"
    "3. 你下单我跑腿：如“帮我去药店买盒降压药”\n"
    "4. 议事报名：如“周三的议事会我想参加”\n"
    "5. 查询进度：回复“进度”\n"
    "6. 评价服务：如“师傅修得挺好，五星”\n"
    "7. 登记住址：如“我住5号楼2单元301”"
)


def help_text(account_name: str) -> str:
    return f"我是{account_name}社区服务号，可以帮您：\n{MENU}\n打字、按住说话、点下方菜单都可以。"


def welcome(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return Outcome(f"欢迎关注{turn.settings.account_name}！有事您就说，网格员和红色管家帮您办。\n" + help_text(turn.settings.account_name))


def greet(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return Outcome("您好，我在呢！有什么需要帮忙的，直接告诉我就行。回复“帮助”看看我能做什么。")


def show_help(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return Outcome(help_text(turn.settings.account_name))


def out_of_scope(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return Outcome("这个我帮不上忙，抱歉。社区里的报修、纠纷调解、跑腿代办、议事报名我都能办，回复“帮助”看看。")


def not_understood(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return Outcome("抱歉，我没太听明白，您能换个说法再说一遍吗？\n" + help_text(turn.settings.account_name))


def acknowledge(turn: Turn, uow: "UnitOfWork") -> Outcome:
    """好的 / 不用 with nothing being asked."""
    return Outcome("好的。有需要随时告诉我，回复“帮助”看看我能做什么。")


def not_heard(turn: Turn, uow: "UnitOfWork") -> Outcome:
    """A voice message WeChat could not turn into text."""
    return Outcome("抱歉，这条语音我没听清。请再说一遍，说慢一点；或者直接打字告诉我。")


def nothing_to_cancel(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return Outcome("您现在没有正在办理的事项。需要帮忙的话直接告诉我。")
