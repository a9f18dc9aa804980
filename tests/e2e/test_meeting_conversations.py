"""议事会: the coming meetings of the resident's community, signing up N people, a full meeting offering
the next one, and topics (议题) for the next meeting."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.seed import seed_meetings
from storage.models import Meeting, MeetingSeries, MeetingSignup, Resident, TopicProposal
from tests.support.conversation import chat, register
from tests.support.inspect import resident_row


class Row(dict):
    __getattr__ = dict.__getitem__


def rows(services, model) -> list[Row]:
    """Every row of a table, as plain values (readable after the session closes)."""
    with services.uow() as uow:
        return [Row({c.key: getattr(r, c.key) for c in model.__table__.columns})
                for r in uow.session.scalars(select(model).order_by(model.id))]


def set_capacity(services, day: str, capacity: int, community: str = "新世纪社区") -> None:
    with services.uow() as uow:
        for meeting in uow.session.scalars(select(Meeting)):
            if meeting.starts_at.astimezone(services.clock.now().tzinfo).date().isoformat() == day \
                    and meeting.community.name == community:
                meeting.capacity = capacity
        uow.commit()


def test_wednesdays_meeting_lists_date_place_topic_and_seats_and_signs_up_two(wechat, services):
    resident = register(wechat, "o_meet_two")

    listing = resident.say("我想报名议事会")
    assert "明天(周三)15:00 相约周三" in listing and "12月2日(周三)15:00" in listing
    assert "新世纪社区党群服务中心" in listing and "剩30个位置" in listing and "居民议事会" in listing
    summary = resident.say("1")
    assert "1人" in summary and "对吗" in summary
    corrected = resident.say("俺俩")
    assert "2人" in corrected
    done = resident.say("是")

    assert "报名成功" in done and "明天(周三)15:00" in done and "新世纪社区党群服务中心" in done and "2人" in done
    [signup] = rows(services, MeetingSignup)
    assert (signup.people, signup.status) == (2, "confirmed")


def test_naming_the_day_picks_that_meeting_even_before_the_community_is_known(wechat, services):
    resident = chat(wechat, "o_meet_day")

    ask = resident.say("周三的议事会我想参加")
    assert "哪个社区" in ask
    summary = resident.say("2")  # 明眼泉社区
    assert "明眼泉社区" in summary and "明天(周三)15:00 相约周三" in summary
    resident.say("行")

    [signup] = rows(services, MeetingSignup)
    with services.uow() as uow:
        meeting = uow.meetings.get(signup.meeting_id)
        assert meeting.community.name == "明眼泉社区"
        assert meeting.starts_at.isoformat().startswith("2026-11-25T07:00")  # 15:00 in Shanghai
    assert resident_row(services, "o_meet_day")["community"] == "明眼泉社区"


def test_naming_the_week_picks_that_weeks_meeting(wechat, services):
    resident = register(wechat, "o_meet_week")

    summary = resident.say("下周的议事会俺想去")  # said on Tuesday 24 November: the meeting of 2 December
    resident.say("是")

    assert "12月2日(周三)15:00 相约周三" in summary and "对吗" in summary
    [signup] = rows(services, MeetingSignup)
    with services.uow() as uow:
        assert uow.meetings.get(signup.meeting_id).starts_at.isoformat().startswith("2026-12-02T07:00")


def test_a_full_meeting_says_so_and_offers_the_next_one(wechat, services):
    seed_meetings(services.session_factory, services.settings.raw["meetings"], now=services.clock.now())
    set_capacity(services, "2026-11-25", 2)
    first = register(wechat, "o_meet_first")
    first.say("周三的议事会我想参加")
    first.say("我们两个人")
    first.say("是")
    late = register(wechat, "o_meet_late")

    offer = late.say("周三的议事会我想参加")

    assert "这场已经报满了" in offer and "12月2日(周三)15:00" in offer and "还剩30个位置" in offer
    summary = late.say("是")
    assert "12月2日(周三)15:00" in summary and "对吗" in summary
    late.say("是")
    signups = rows(services, MeetingSignup)
    assert [s.people for s in signups] == [2, 1] and signups[0].meeting_id != signups[1].meeting_id


def test_signing_up_again_changes_the_number_of_people(wechat, services):
    resident = register(wechat, "o_meet_again")
    resident.say("周三的议事会我想参加")
    resident.say("是")

    resident.say("周三的议事会我想参加")
    resident.say("我们3个人")
    done = resident.say("是")

    assert "改好" in done and "3人" in done
    [signup] = rows(services, MeetingSignup)
    assert signup.people == 3


def test_a_topic_is_filed_for_the_next_meeting_of_the_community(wechat, services):
    resident = register(wechat, "o_meet_topic")

    reply = resident.say("我想提个议题，小区停车太乱了")

    assert "小区停车太乱了" in reply and "明天(周三)15:00" in reply
    [topic] = rows(services, TopicProposal)
    assert (topic.text, topic.status) == ("小区停车太乱了", "proposed") and topic.meeting_id is not None


def test_a_topic_told_in_two_messages_is_confirmed_first(wechat, services):
    resident = register(wechat, "o_meet_topic2")

    assert "商量什么事" in resident.click("TOPIC")
    summary = resident.say("楼下空地想装几个健身器材")
    assert "议题：楼下空地想装几个健身器材" in summary and "对吗" in summary
    resident.say("对")

    [topic] = rows(services, TopicProposal)
    assert topic.text == "楼下空地想装几个健身器材"


def test_meetings_are_made_from_config_weeks_ahead_and_only_once(services):
    with services.uow() as uow:
        uow.session.query(Meeting).delete()  # start from none, whatever day the template was seeded
        uow.commit()
    now, section = services.clock.now(), services.settings.raw["meetings"]

    first = seed_meetings(services.session_factory, section, now=now)
    again = seed_meetings(services.session_factory, section, now=now)
    a_week_on = seed_meetings(services.session_factory, section, now=now + timedelta(days=7))

    assert (first, again, a_week_on) == (10, 0, 2)  # this Wednesday and 4 more, for two communities
    meetings = rows(services, Meeting)
    assert {m.title for m in meetings} == {"相约周三"}
    assert all(m.starts_at.astimezone(now.tzinfo).strftime("%w %H:%M") == "3 15:00" for m in meetings)


def test_unfollowing_removes_the_residents_signups_but_keeps_their_topics(wechat, services):
    resident = register(wechat, "o_meet_leave")
    resident.say("周三的议事会我想参加")
    resident.say("是")
    resident.say("我想提个议题，楼道里的自行车太多")

    resident.simulator.event("unsubscribe")

    assert rows(services, MeetingSignup) == []
    [topic] = rows(services, TopicProposal)
    assert topic.resident_id is None and topic.text == "楼道里的自行车太多"
    assert all(r.openid != "o_meet_leave" for r in rows(services, Resident))


def test_the_meetings_page_lists_what_is_coming(client):
    page = client.get("/h5/meetings")

    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "新世纪社区" in text and "相约周三" in text and "剩 30 个位置" in text


def test_a_topic_mid_signup_becomes_a_topic_and_the_signup_waits(wechat, services):
    resident = register(wechat, "o_meet_switch")
    resident.say("我想报名议事会")

    reply = resident.say("我先提个议题：楼下的路灯太暗")

    assert "已记下您的议题" in reply and "接着说刚才的议事会报名" in reply
    [topic] = rows(services, TopicProposal)
    assert topic.text == "楼下的路灯太暗"


def test_with_no_meeting_coming_the_resident_is_told_and_offered_a_topic(settings, interpreter, clock):
    from bot.app import create_app
    from bot.bootstrap import bootstrap
    from tests.support.conversation import Chat
    from tests.support.wechat_actions import WeChatActions

    quiet = settings
    services = bootstrap(quiet, interpreter=interpreter, clock=clock)
    try:
        with services.uow() as uow:
            uow.session.query(MeetingSeries).update({"active": False})  # no recurring meetings any more
            uow.session.query(Meeting).delete()
            uow.commit()
        resident = Chat(WeChatActions(create_app(services=services).test_client(), quiet).as_user("o_meet_none"))
        resident.say("我住3号楼2单元501")
        resident.say("1")
        resident.say("是")

        reply = resident.say("我想报名议事会")

        assert "近期还没有安排议事会" in reply and "提议题" in reply
        assert resident_row(services, "o_meet_none")["form"] is None
    finally:
        services.close()


def signed_up_for_wednesday(wechat, openid: str):
    """A registered resident holding two seats at this Wednesday's meeting."""
    resident = register(wechat, openid)
    for text in ("周三的议事会我想参加", "我们两个人", "是"):
        resident.say(text)
    return resident


def test_not_going_after_all_gives_the_seats_back(wechat, services):
    resident = signed_up_for_wednesday(wechat, "o_meet_drop")

    reply = resident.say("议事会不去了")

    assert "已取消" in reply and "明天(周三)15:00" in reply
    [signup] = rows(services, MeetingSignup)
    assert signup.status == "cancelled"
    assert "剩30个位置" in resident.say("我想报名议事会")


def test_dont_cancel_my_signup_keeps_the_seats(wechat, services):
    resident = signed_up_for_wednesday(wechat, "o_meet_keep")

    reply = resident.say("议事会报名别给我取消 到时候一定去")

    assert "不取消" in reply and "已取消" not in reply
    [signup] = rows(services, MeetingSignup)
    assert signup.status != "cancelled"


def test_not_going_next_week_gives_back_only_next_weeks_seats(wechat, services):
    resident = signed_up_for_wednesday(wechat, "o_meet_two_weeks")
    for text in ("下周三的议事会我也去", "是"):
        resident.say(text)

    reply = resident.say("下周的议事会不去了")

    assert "已取消" in reply and "12月2日(周三)15:00" in reply
    with services.uow() as uow:
        kept = {uow.meetings.get(s.meeting_id).starts_at.date().isoformat(): s.status for s in rows(services, MeetingSignup)}
    assert kept == {"2026-11-25": "confirmed", "2026-12-02": "cancelled"}


def test_how_many_said_when_asked_which_meeting_is_heard_before_the_question_comes_again(wechat, services):
    resident = register(wechat, "o_mt_heard", "5号楼1单元101")
    assert "想报哪一场" in resident.say("我想报名参加议事会")

    again = resident.say("2个人")

    assert again.startswith("好的，人数：2人。\n") and "想报哪一场" in again
    summary = resident.say("第二场")
    assert "12月2日(周三)15:00" in summary and "人数：2人" in summary
