"""议事报名 / 提议题: sign up N people for one of the community's coming meetings, or file a topic for the
next one. A full meeting says so and offers the next one with seats."""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from handlers import answers, forms, meeting_reminders, meetings, when
from handlers.forms import Ask, Form, Slot
from handlers.timezone import local
from handlers.turn import Outcome, Turn
from nlu.entities import extract_choice, extract_count
from storage.models import MeetingSignup, TopicProposal

if TYPE_CHECKING:
    from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

MAX_PEOPLE = 10
_TOPIC_WORDS = re.compile(r"议题|提议|建议|提个|提一个|想说说|说道说道|反映|想让大家|商量个|讨论")
_TOPIC_NOISE = re.compile(
    r"你好|您好|请问|我想|我要|想要|俺|我们|我有|有个|有一个|提个|提一个|提议|议题|建议|意见|想说说|说道说道|反映|"
    r"一下|下次|议事会|议事|会上|讨论|商量|想让大家|的|了|啊|呀|吧|呢|哈|嗯|是|[\s，。！？、,.!?~～：:]"
)
_BARE_NUMBER = re.compile(r"^\s*\d+\s*$")
_NAMES_MEETING = re.compile(r"会|议事|周|星期|礼拜|号|明天|后天|下")
NO_MEETINGS = "近期还没有安排议事会。您可以回复“提议题”说说想商量的事，社区会安排讨论。"


# ── community ───────────────────────────────────────────────────────────────────────────────────


def _fill_community(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    communities = list(uow.directory.communities())
    chosen = None
    if asked and asked.get("communities"):
        index = extract_choice(turn.text, len(asked["communities"]))
        if index is not None:
            chosen = next((c for c in communities if c.id == asked["communities"][index - 1]), None)
    for community in communities:
        if chosen is None and (community.name in turn.text or community.name.removesuffix("社区") in turn.text):
            chosen = community
    if chosen is None or chosen.id == values.get("community_id"):
        return None
    return {"community": chosen.name, "community_id": chosen.id, "meeting": None, "meeting_id": None}


def _own_community(turn: Turn, values: dict, uow: "UnitOfWork") -> dict | None:
    community = turn.resident.community
    return {"community": community.name, "community_id": community.id} if community else None


def _which_community(turn: Turn, values: dict, uow: "UnitOfWork") -> Ask:
    communities = list(uow.directory.communities())
    return Ask("您是哪个社区的？", choices=tuple(c.name for c in communities),
               pending={"communities": [c.id for c in communities]})


COMMUNITY_SLOT = Slot("community", prompt="您是哪个社区的？", fill=_fill_community, label="社区",
                      default=_own_community, default_confirms=False, question=_which_community)


def _grid_of(turn: Turn, values: dict) -> int | None:
    building = turn.resident.building
    return building.grid_id if building is not None and building.community_id == values.get("community_id") else None


def _coming(turn: Turn, values: dict, uow: "UnitOfWork") -> list[meetings.Opening]:
    meetings.materialise(uow, now=turn.now, weeks_ahead=turn.settings.meeting_weeks_ahead)  # on demand: the series never runs dry
    return meetings.upcoming(values["community_id"], _grid_of(turn, values), uow, now=turn.now,
                             resident_id=turn.resident.id)


# ── meeting ─────────────────────────────────────────────────────────────────────────────────────


def _meeting_values(item: meetings.Opening, turn: Turn) -> dict:
    meeting = item.meeting
    return {"meeting": f"{meetings.when_label(meeting, turn.now)} {meeting.title}", "meeting_id": meeting.id,
            "meeting_day": None}


def _full_offer(item: meetings.Opening, items: list[meetings.Opening], turn: Turn) -> Ask:
    later = next((i for i in items if not i.full and i.meeting.starts_at > item.meeting.starts_at), None)
    head = f"{meetings.when_label(item.meeting, turn.now)}这场已经报满了。"
    if later is None:
        return Ask(head + "后面几场也满了，您可以回复“提议题”说说想商量的事。",
                   pending={"meetings": [i.meeting.id for i in items]})
    return Ask(
        head + f"下一场是{meetings.when_label(later.meeting, turn.now)}，还剩{later.seats_left}个位置，"
        "要改报这一场吗？回复“是”",
        pending={"offer": later.meeting.id, "meetings": [i.meeting.id for i in items]},
    )


def _fill_meeting(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | Ask | None:
    if turn.msg_type not in ("text", "voice"):
        return None
    day = when.read(turn.text, turn.now) if _NAMES_MEETING.search(turn.text) else None
    if not values.get("community_id"):
        # 周三的议事会 before we know the community: keep the day for when we do.
        return {"meeting_day": [d.isoformat() for d in day.days()]} if day is not None else None
    items = _coming(turn, values, uow)
    picked = None
    if asked is not None:
        if asked.get("offer") and answers.is_yes(turn.text, turn.understanding):
            picked = next((i for i in items if i.meeting.id == asked["offer"]), None)
        ids = asked.get("meetings") or []
        index = extract_choice(turn.text, len(ids)) if picked is None else None
        if index is not None:
            picked = next((i for i in items if i.meeting.id == ids[index - 1]), None)
    wanted = [d.isoformat() for d in day.days()] if day is not None else values.get("meeting_day")
    if picked is None and wanted:
        first, last = (wanted, wanted) if isinstance(wanted, str) else wanted  # a day kept by an older release
        # 周三的议事会: that day's; 下周的议事会: the one meeting of that week (with several, the list is shown)
        within = [i for i in items if first <= local(i.meeting.starts_at).date().isoformat() <= last]
        picked = within[0] if within and (len(within) == 1 or first == last) else None
    if picked is None:
        return None
    if picked.full:
        return _full_offer(picked, items, turn)
    return _meeting_values(picked, turn)


def _which_meeting(turn: Turn, values: dict, uow: "UnitOfWork") -> Ask | Outcome:
    items = _coming(turn, values, uow)
    if not items:
        return Outcome(NO_MEETINGS)
    return Ask(f"{values.get('community', '')}近期的议事会，想报哪一场？",
               choices=tuple(meetings.choice_label(i, turn.now) for i in items),
               pending={"meetings": [i.meeting.id for i in items]})


# ── people ──────────────────────────────────────────────────────────────────────────────────────


def _fill_people(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    if asked is None and _BARE_NUMBER.match(turn.text):
        return None  # a bare number answers a numbered question, not how many come
    count = extract_count(turn.text)
    if count is None or not 1 <= count <= MAX_PEOPLE:
        return None
    return {"people": count}


def _one_person(turn: Turn, values: dict, uow: "UnitOfWork") -> dict:
    return {"people": 1}


def sign_up(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    """Take the seats under a lock on the meeting, so two residents cannot both take the last one."""
    meeting = uow.meetings.get(values["meeting_id"], lock=True)
    people = int(values.get("people") or 1)
    if meeting is None or meeting.status != "scheduled" or meeting.starts_at <= turn.now:
        return forms.ask_again(SIGNUP_FORM, turn, values, "meeting", _which_meeting(turn, values, uow),
                               note="这场议事会已经取消或开始了，请另选一场。\n")
    item = meetings.opening(meeting, uow, resident_id=turn.resident.id)
    if item.seats_left < people:
        if item.full:
            ask = _full_offer(item, _coming(turn, values, uow), turn)
            return forms.ask_again(SIGNUP_FORM, turn, values, "meeting", ask)
        return forms.ask_again(SIGNUP_FORM, turn, values, "people", Ask("最多能报几位？"),
                               note=f"这场只剩{item.seats_left}个位置了，")
    signup = uow.meetings.signup(meeting.id, turn.resident.id)
    again = signup is not None and signup.status == "confirmed"
    if signup is None:
        signup = uow.meetings.add_signup(MeetingSignup(meeting_id=meeting.id, resident=turn.resident, people=people,
                                                       status="confirmed", created_at=turn.now, updated_at=turn.now))
    else:
        signup.people, signup.status, signup.updated_at = people, "confirmed", turn.now
    meeting_reminders.schedule_reminders(meeting, signup, turn.settings, uow, now=turn.now)
    if turn.resident.community_id is None:
        turn.resident.community_id = meeting.community_id
    log.info("meeting.signed_up meeting=%s people=%s again=%s", meeting.id, people, again)
    head = "已帮您改好报名" if again else "报名成功！"
    lines = [head, f"{meeting.title}：{meetings.when_label(meeting, turn.now)}", f"地点：{meeting.place}"]
    if meeting.topic:
        lines.append(f"内容：{meeting.topic}")
    lines += [f"人数：{people}人", _reminder_note(turn.settings), "有想商量的事，可以回复“提议题”。"]
    return Outcome("\n".join(lines))


def _reminder_note(settings) -> str:
    hours = [int(o.total_seconds() // 3600) for o in settings.meeting_reminders if o.total_seconds() >= 3600]
    if not hours:
        return "到时候见！"
    spoken = "和".join("前一天" if h == 24 else f"开会前{h}小时" for h in hours)
    return f"{spoken}会提醒您，到时候见！"


SIGNUP_FORM = forms.register(
    Form(
        name="meeting_signup",
        title="议事会报名",
        intent="consultation_signup",
        slots=(
            COMMUNITY_SLOT,
            Slot("meeting", prompt="想报哪一场？", fill=_fill_meeting, label="场次", question=_which_meeting),
            Slot("people", prompt="一共几个人参加？比如：就我自己 / 我们两个人", fill=_fill_people, label="人数",
                 default=_one_person, show=lambda v: f"{v['people']}人"),
        ),
        on_complete=sign_up,
    )
)


# ── topics ──────────────────────────────────────────────────────────────────────────────────────


def _fill_topic(turn: Turn, values: dict, asked: dict | None, uow: "UnitOfWork") -> dict | None:
    text = turn.text.strip()
    if len(_TOPIC_NOISE.sub("", text)) < 2:
        return None
    topic = re.sub(r"^.*?(?:议题|提议|建议|意见)(?:是|：|:|，|,)?\s*", "", text, count=1) if asked is None else text
    return {"topic": topic.strip("，。,. ") or text}


def propose(values: dict, turn: Turn, uow: "UnitOfWork") -> Outcome:
    coming = _coming(turn, values, uow)
    meeting = coming[0].meeting if coming else None
    uow.meetings.add_proposal(TopicProposal(
        community_id=values["community_id"], meeting_id=meeting.id if meeting else None,
        resident_id=turn.resident.id, text=values["topic"], status="proposed", created_at=turn.now,
    ))
    if turn.resident.community_id is None:
        turn.resident.community_id = values["community_id"]
    log.info("meeting.topic_proposed meeting=%s", meeting.id if meeting else None)
    if meeting is None:
        return Outcome(f"已记下您的议题：“{values['topic']}”。\n社区会安排在下次议事会上商量，定了时间告诉您。")
    return Outcome(
        f"已记下您的议题：“{values['topic']}”。\n会提交到{meetings.when_label(meeting, turn.now)}的{meeting.title}"
        f"（{meeting.place}）上商量。\n想到场说说的话，回复“报名议事会”。"
    )


TOPIC_FORM = forms.register(
    Form(
        name="meeting_topic",
        title="议题",
        intent="consultation_topic",
        slots=(
            COMMUNITY_SLOT,
            Slot("topic", prompt="您想让大家商量什么事？比如：小区停车太乱，想划车位", fill=_fill_topic, label="议题",
                 free_text=True),
        ),
        on_complete=propose,
    )
)


def about_topic(text: str) -> bool:
    """我想提个议题… rather than 我想报名议事会."""
    return bool(_TOPIC_WORDS.search(text)) and not re.search(r"报名|参加|去开会", text)


def start(turn: Turn, uow: "UnitOfWork") -> Outcome:
    """议事会报名, or a topic when the resident speaks of one."""
    return start_topic(turn, uow) if about_topic(turn.text) else start_signup(turn, uow)


def start_signup(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return forms.start(SIGNUP_FORM, turn, uow)


def start_topic(turn: Turn, uow: "UnitOfWork") -> Outcome:
    return forms.start(TOPIC_FORM, turn, uow)
