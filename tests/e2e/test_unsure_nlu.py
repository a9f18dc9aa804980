"""When the NLU is unsure, the resident is asked about its best guess rather than left with a menu."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import create_app
from bot.bootstrap import bootstrap
from tests.support.conversation import Chat
from tests.support.inspect import all_cases
from tests.support.wechat_actions import WeChatActions

UNSURE = "俺家水管子漏了咋整"


class UnsureAbout:
    """The real NLU, except that it is unsure (0.38) about one message it still ranks as a repair."""

    def __init__(self, real, text: str, intent: str):
        self.real, self.text, self.intent = real, text, intent

    def parse(self, text, *, now=None):
        understood = self.real.parse(text, now=now)
        if text != self.text:
            return understood
        return replace(understood, intent=self.intent, confidence=0.38, confident=False, category="engineering",
                       category_confidence=0.9)


@pytest.fixture
def unsure_chat(settings, interpreter, clock):
    services = bootstrap(settings, interpreter=UnsureAbout(interpreter, UNSURE, "repair"), clock=clock)
    yield services, Chat(WeChatActions(create_app(services=services).test_client(), settings).as_user("o_unsure"))
    services.close()


def test_yes_to_the_guess_goes_on_with_the_original_message(unsure_chat):
    services, resident = unsure_chat

    question = resident.say(UNSURE)
    assert "您是想报修吗" in question
    assert "楼栋和房号" in resident.say("中")
    resident.say("3号楼2单元501")
    summary = resident.say("1")
    assert "问题：俺家水管子漏了咋整" in summary and "工程维修" in summary
    resident.say("是")

    [case] = all_cases(services)
    assert (case["description"], case["category"], case["location"]) == (UNSURE, "engineering", "3号楼2单元501")


def test_no_to_the_guess_asks_to_rephrase_and_shows_the_menu(unsure_chat):
    services, resident = unsure_chat
    resident.say(UNSURE)

    reply = resident.say("不是")

    assert "换个说法" in reply and "报事报修" in reply and all_cases(services) == []


def test_something_else_instead_of_yes_is_taken_as_a_new_message(unsure_chat):
    services, resident = unsure_chat
    resident.say(UNSURE)

    reply = resident.say("帮俺去药店买盒降压药")

    assert "送到哪儿" in reply
