"""People come to 相约周三 because they are reminded: 24 h and 1 h before, with time, place and topic;
told when it is cancelled or moved (and reminded at the new time); sent the 决议 afterwards."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.outbox import deliver_due
from handlers import meeting_admin
from handlers.meeting_admin import MeetingDraft, MeetingError
from handlers.timezone import SHANGHAI
from tests.support.conversation import register
from tests.support.inspect import outbox

WEDNESDAY_3PM = datetime(2026, 11, 25, 15, 0, tzinfo=SHANGHAI)


def sign_up(wechat, openid: str) -> None:
    resident = register(wechat, openid)
    resident.say("周三的议事会我想参加")
    done = resident.say("是")
    assert "报名成功" in done and "前一天和开会前1小时会提醒您" in done


def wednesday_meeting_id(services) -> int:
    with services.uow() as uow:
        community = uow.directory.community_by_code("xinshiji")
        [meeting] = [m for m in uow.meetings.upcoming(community.id, after=services.clock.now(), limit=1)]
        assert meeting.starts_at == WEDNESDAY_3PM
        return meeting.id


def delivered_to(wechat_api, openid: str, template: str | None = None) -> list[dict]:
    calls = wechat_api.delivered("message/template/send") + wechat_api.delivered("message/custom/send")
    return [c.body for c in calls if c.body.get("touser") == openid
            and (template is None or c.body.get("template_id") == f"TEMPLATE_{template.upper()}")]


def run_scheduler_until(services, clock, until: datetime, step=timedelta(minutes=10)) -> None:
    """Move the clock forward, delivering what falls due on the way (as the outbox job does)."""
    while clock.now() < until:
        clock.advance(seconds=step.total_seconds())
        deliver_due(services)


def test_a_signed_up_resident_is_reminded_a_day_and_an_hour_before_once_each(wechat, services, clock, wechat_api):
    sign_up(wechat, "o_remind_me")
    deliver_due(services)

    run_scheduler_until(services, clock, WEDNESDAY_3PM + timedelta(hours=1))

    reminders = delivered_to(wechat_api, "o_remind_me", "meeting_reminder")
    assert len(reminders) == 2
    first = reminders[0]["data"]
    assert first["thing1"]["value"] == "相约周三" and first["time2"]["value"] == "2026-11-25 15:00"
    assert first["thing3"]["value"] == "新世纪社区党群服务中心" and first["thing4"]["value"]
    sent = [p for p in outbox(services) if p["payload"].get("template") == "meeting_reminder"]
    assert [p["status"] for p in sent] == ["sent", "sent"]


def test_giving_up_the_seat_withdraws_the_reminders_and_signing_up_again_brings_them_back(wechat, services, clock,
                                                                                          wechat_api):
    sign_up(wechat, "o_remind_flip")
    resident = register(wechat, "o_remind_flip")
    assert "已取消" in resident.say("议事会不去了")
    assert all(p["status"] == "dropped" for p in outbox(services) if p["payload"].get("template") == "meeting_reminder")

    resident.say("周三的议事会我想参加")
    resident.say("是")
    run_scheduler_until(services, clock, WEDNESDAY_3PM)

    assert len(delivered_to(wechat_api, "o_remind_flip", "meeting_reminder")) == 2


def test_signing_up_an_hour_before_sends_no_stale_day_before_reminder(wechat, services, clock, wechat_api):
    clock.at = WEDNESDAY_3PM - timedelta(minutes=50)
    sign_up_late = register(wechat, "o_remind_late")
    sign_up_late.say("周三的议事会我想参加")
    sign_up_late.say("是")

    run_scheduler_until(services, clock, WEDNESDAY_3PM + timedelta(minutes=30))

    assert delivered_to(wechat_api, "o_remind_late", "meeting_reminder") == []


def test_cancelling_a_meeting_tells_everyone_signed_up_and_no_reminder_follows(wechat, services, clock, wechat_api):
    for openid in ("o_cancel_a", "o_cancel_b"):
        sign_up(wechat, openid)
    meeting_id = wednesday_meeting_id(services)

    with services.uow() as uow:
        told = meeting_admin.cancel_meeting(meeting_id, "场地检修", uow, now=clock.now())
        uow.commit()
    run_scheduler_until(services, clock, WEDNESDAY_3PM)

    assert told == 2
    for openid in ("o_cancel_a", "o_cancel_b"):
        [notice] = delivered_to(wechat_api, openid)  # inside 48 h of their last message: a text
        assert "取消" in notice["text"]["content"] and "场地检修" in notice["text"]["content"]
        assert delivered_to(wechat_api, openid, "meeting_reminder") == []


def test_moving_a_meeting_tells_everyone_and_reminds_them_at_the_new_time(wechat, services, clock, wechat_api):
    sign_up(wechat, "o_move_me")
    meeting_id = wednesday_meeting_id(services)
    new_time = WEDNESDAY_3PM + timedelta(days=1, hours=-6)  # Thursday 09:00

    with services.uow() as uow:
        told = meeting_admin.move_meeting(meeting_id, new_time, uow, services.settings.domain, now=clock.now())
        uow.commit()
    run_scheduler_until(services, clock, new_time + timedelta(minutes=10))

    assert told == 1
    [notice] = [c for c in delivered_to(wechat_api, "o_move_me") if "text" in c]
    assert "改到11月26日 09:00" in notice["text"]["content"]
    reminders = delivered_to(wechat_api, "o_move_me", "meeting_reminder")
    assert [r["data"]["time2"]["value"] for r in reminders] == ["2026-11-26 09:00", "2026-11-26 09:00"]


def test_the_outcome_of_a_meeting_is_sent_to_its_participants(wechat, services, clock, wechat_api):
    sign_up(wechat, "o_outcome")
    meeting_id = wednesday_meeting_id(services)
    clock.at = WEDNESDAY_3PM + timedelta(days=2)  # Friday: the resident last wrote 3 days ago, so a template

    with services.uow() as uow:
        told = meeting_admin.record_outcome(meeting_id, "同意在3号楼北侧划10个停车位，下周施工", uow, now=clock.now())
        uow.commit()
    deliver_due(services)

    assert told == 1
    [notice] = [c for c in delivered_to(wechat_api, "o_outcome") if c.get("template_id") == "TEMPLATE_MEETING_NOTICE"]
    assert notice["data"]["phrase3"]["value"] == "有决议" and "停车位" in notice["data"]["thing4"]["value"]
    assert all(len(v["value"]) <= 20 for v in notice["data"].values())


def test_staff_mistakes_are_refused_with_a_reason(services, clock):
    coming = wednesday_meeting_id(services)
    with services.uow() as uow:
        with pytest.raises(MeetingError, match="过去"):
            meeting_admin.create_meeting(MeetingDraft(community="xinshiji", title="楼长会",
                                                      starts_at=clock.now() - timedelta(hours=1)), uow, now=clock.now())
        with pytest.raises(MeetingError, match="没有网格"):
            meeting_admin.create_meeting(MeetingDraft(community="xinshiji", grid="myq-1", title="楼长会",
                                                      starts_at=clock.now() + timedelta(days=1)), uow, now=clock.now())
        with pytest.raises(MeetingError, match="5 段"):
            meeting_admin.create_series(MeetingDraft(community="xinshiji", title="周五茶话会", key="fri", cron="周五"),
                                        uow, services.settings.domain, now=clock.now())
        with pytest.raises(MeetingError, match="还没开"):
            meeting_admin.record_outcome(coming, "决议", uow, now=clock.now())


def test_a_series_added_by_staff_has_its_meetings_made_weeks_ahead(services, clock):
    with services.uow() as uow:
        series = meeting_admin.create_series(
            MeetingDraft(community="mingyanquan", title="楼长碰头会", key="myq-friday", cron="30 9 * * fri",
                         capacity=12), uow, services.settings.domain, now=clock.now())
        uow.commit()
        made = [(m.starts_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M"), m.capacity, m.place)
                for m in uow.meetings.listed(community_id=series.community_id, after=clock.now())
                if m.series_key == "myq-friday"]

    assert [when for when, _, _ in made][:3] == ["11-27 09:30", "12-04 09:30", "12-11 09:30"]
    assert {(capacity, place) for _, capacity, place in made} == {(12, "明眼泉社区党群服务中心")}


def test_reminders_that_fell_due_while_nothing_ran_are_dropped_once_the_meeting_has_begun(wechat, services, clock,
                                                                                           wechat_api):
    sign_up(wechat, "o_remind_down")
    deliver_due(services)
    clock.at = WEDNESDAY_3PM + timedelta(minutes=5)  # the scheduler was down from Tuesday morning until now

    report = deliver_due(services)

    assert report.dropped == 2
    assert delivered_to(wechat_api, "o_remind_down", "meeting_reminder") == []
