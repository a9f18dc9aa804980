"""查询进度, 评价 and 取消 by chat: the six-step loop as a resident reads it, five at a time."""
from __future__ import annotations

from bot.access import staff_actor
from handlers import case_actions
from handlers.case_opening import NewCase, open_and_route
from tests.support.conversation import chat, register
from tests.support.inspect import all_cases, outbox
from tests.support.wechat_actions import report

CATEGORIES = ("engineering", "cleaning", "greening", "order", "care")


def open_cases(services, openid: str, count: int, *, first_building: int = 1) -> list[str]:
    """`count` repairs by one resident, in different buildings (so none is merged as a duplicate)."""
    numbers = []
    with services.uow() as uow:
        resident = uow.residents.get_or_create(openid, now=services.clock.now())
        for i in range(count):
            building = uow.directory.buildings_numbered(str((first_building - 1 + i) % 12 + 1))[0]
            case, _ = open_and_route(
                NewCase(kind="repair", category=CATEGORIES[i % 5], description=f"第{i + 1}件事：楼道灯不亮",
                        community_id=building.community_id, grid_id=building.grid_id, building_id=building.id),
                resident, uow, services.settings.domain, at=services.clock.now(),
            )
            numbers.append(case.number)
        uow.commit()
    return numbers


def resolve(services, number: str) -> None:
    with services.uow() as uow:
        case = uow.cases.by_number(number)
        worker = staff_actor(case.assignee)
        case_actions.accept(case, worker, uow, at=services.clock.now())
        case_actions.resolve(case, worker, "已修好", uow, at=services.clock.now())
        uow.commit()


def test_progress_shows_each_case_with_its_step_its_handler_and_the_next_deadline(wechat, services):
    resident = register(wechat, "o_st_one")
    resident.say("3号楼2单元501厨房水管漏水")

    reply = resident.say("我报的修咋样了")

    [case] = all_cases(services)
    assert case["case_no"] in reply and "报修·3号楼2单元501厨房水管" in reply
    assert "第3步·分流交办" in reply and "红色管家·工程 王建国" in reply and "今天12:00前联系您" in reply


def test_a_long_list_shows_five_and_more_shows_the_rest(wechat, services):
    numbers = open_cases(services, "o_st_many", 8)
    resident = chat(wechat, "o_st_many")

    first = resident.say("进度")
    assert {n for n in numbers if n in first} == set(numbers[3:])  # the newest five
    assert "还有3件" in first and "更多" in first
    rest = resident.say("更多")
    assert sorted(n for n in numbers if n in rest) == sorted(numbers[:3])
    assert "没有更多" in resident.say("更多")


def test_one_case_by_number_shows_its_trail_and_another_residents_is_not_shown(wechat, services):
    [mine] = open_cases(services, "o_st_detail", 1)
    [theirs] = open_cases(services, "o_st_other", 1, first_building=7)
    resident = chat(wechat, "o_st_detail")

    detail = resident.say(mine)
    refused = resident.say(theirs)

    assert "进度：第3步·分流交办" in detail and "信息上报" in detail and "核实立案" in detail
    assert "没有找到您名下的工单" in refused and "楼道灯" not in refused


def test_five_stars_with_a_comment_close_the_latest_resolved_case(wechat, services):
    [number] = open_cases(services, "o_rate_good", 1)
    resolve(services, number)

    reply = chat(wechat, "o_rate_good").say("师傅修得挺好，五星")

    [case] = all_cases(services)
    assert (case["state"], case["rating"], case["rating_comment"]) == ("closed", 5, "师傅修得挺好")
    assert "5星" in reply and number in reply


def test_one_star_reopens_the_case_for_rework_with_the_complaint(wechat, services):
    [number] = open_cases(services, "o_rate_bad", 1)
    resolve(services, number)
    pushes = len(outbox(services))

    reply = chat(wechat, "o_rate_bad").say("一星，还是漏水")

    [case] = all_cases(services)
    assert case["state"] == "dispatched" and case["rating"] == 1
    assert [e["action"] for e in case["events"]][-2:] == ["reopen", "dispatch"] and "还是漏水" in case["events"][-2]["note"]
    assert "返工" in reply and len(outbox(services)) == pushes + 1  # the reply told the resident; the worker is told


def test_a_low_rating_without_a_reason_asks_what_was_wrong(wechat, services):
    [number] = open_cases(services, "o_rate_why", 1)
    resolve(services, number)
    resident = chat(wechat, "o_rate_why")

    ask = resident.say("不满意")
    summary = resident.say("师傅来了一趟没修好就走了")
    assert "哪里不满意" in ask and "2星" in summary and "对吗" in summary
    resident.say("是")

    [case] = all_cases(services)
    assert case["state"] == "dispatched" and case["rating_comment"] == "师傅来了一趟没修好就走了"


def test_rating_with_nothing_resolved_says_so_kindly(wechat, services):
    open_cases(services, "o_rate_early", 1)

    reply = chat(wechat, "o_rate_early").say("师傅修得挺好，五星")

    assert "还在办理中" in reply and all_cases(services)[0]["state"] == "dispatched"


def test_saying_it_is_fixed_now_withdraws_the_case_after_asking(wechat, services):
    [number] = open_cases(services, "o_cancel_fixed", 1)
    resident = chat(wechat, "o_cancel_fixed")

    ask = resident.say("不用来了，已经好了")
    assert number in ask and "确定撤回吗" in ask
    done = resident.say("是")

    assert "已撤回" in done and all_cases(services)[0]["state"] == "cancelled"


def test_answering_no_keeps_the_case(wechat, services):
    open_cases(services, "o_cancel_keep", 1)
    resident = chat(wechat, "o_cancel_keep")
    resident.say("不用来了，已经好了")

    reply = resident.say("不")

    assert "不撤回" in reply and all_cases(services)[0]["state"] == "dispatched"


def test_with_several_open_cases_the_resident_picks_which_to_withdraw(wechat, services):
    numbers = open_cases(services, "o_cancel_pick", 2)
    services.clock.advance(minutes=60)  # past the moment when 取消 simply undoes the last report
    resident = chat(wechat, "o_cancel_pick")

    which = resident.say("取消")
    assert "要撤回哪一件" in which and all(n in which for n in numbers)
    assert "确定撤回吗" in resident.say("2")
    resident.say("是")

    states = {c["case_no"]: c["state"] for c in all_cases(services)}
    assert states == {numbers[0]: "cancelled", numbers[1]: "dispatched"}


def test_nothing_to_withdraw_is_said_plainly(wechat):
    assert "没有可以撤回" in chat(wechat, "o_cancel_none").say("取消")


def test_a_report_merged_into_a_neighbours_shows_that_cases_progress_not_rejected(wechat, services):
    report(wechat.as_user("o_resident_wang"), "12号楼东单元电梯坏了，困在一楼")
    report(wechat.as_user("o_resident_li"), "12号楼东单元的电梯又坏了")
    follower = wechat.as_user("o_resident_li")

    listed = follower.text("进度").reply
    own = follower.text("R20261124-0002").reply
    original = follower.text("R20261124-0001").reply  # the case followed may be looked up by its number
    stranger = wechat.as_user("o_resident_zhao").text("R20261124-0001").reply

    assert "已并入工单 R20261124-0001，第3步·分流交办（已交办）" in listed and "不予立案" not in listed
    assert "同一件事邻居先报过了" in own and "负责：红色管家·工程 赵师傅" in own and "不予立案" not in own
    assert "12号楼东单元电梯坏了" in original and "进度：第3步" in original
    assert "没有找到您名下的工单" in stranger
