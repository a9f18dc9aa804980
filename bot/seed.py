"""`linli seed`: make the database's community directory match config.yaml. Safe to run again."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Building, Community, EscalationContact, Grid, MeetingSeries, Staff, StaffGrid, Team

log = logging.getLogger(__name__)
TEAM_KINDS = ("engineering", "cleaning", "greening", "order", "care")
LEVELS = ("community", "street", "department")


class ConfigError(ValueError):
    """config.yaml describes the community inconsistently; the message says where."""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, created: bool) -> None:
        bucket = self.created if created else self.updated
        bucket[what] = bucket.get(what, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def expand_numbers(spec) -> list[str]:
    """"1-4" → ["1", "2", "3", "4"]; "12" → ["12"]; [5, 7] → ["5", "7"]; towers by letter: "A-C" → ["A", "B", "C"]."""
    if isinstance(spec, list):
        return [str(n).upper() for n in spec]
    text = str(spec).strip().upper()
    if "-" in text:
        low, high = (part.strip() for part in text.split("-", 1))
        if low.isdigit() and high.isdigit():
            return [str(n) for n in range(int(low), int(high) + 1)]
        if len(low) == len(high) == 1 and "A" <= low <= high <= "Z":
            return [chr(c) for c in range(ord(low), ord(high) + 1)]
        raise ConfigError(f"楼号范围“{spec}”看不懂：应写成 1-4 或 A-C")
    return [text]


class Seeder:
    def __init__(self, session: Session):
        self.session = session
        self.report = SeedReport()
        self._roles: dict[str, str] = {}

    def _sync(self, model, key: dict, values: dict, label: str):
        row = self.session.scalars(select(model).filter_by(**key)).one_or_none()
        if row is None:
            row = model(**key, **values)
            self.session.add(row)
            self.session.flush()
            self.report.count(label, True)
            return row
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        for name, value in changed.items():
            setattr(row, name, value)
        if changed:
            self.report.count(label, False)
        return row

    def staff(self, person: dict, role: str, *, community: Community | None, team: Team | None = None) -> Staff:
        earlier = self._roles.setdefault(person["openid"], role)
        if earlier != role:
            raise ConfigError(f"{person['name']}（{person['openid']}）在名单中出现两次，身份不同：{earlier} 与 {role}")
        return self._sync(
            Staff,
            {"openid": person["openid"]},
            {
                "name": person["name"], "phone": str(person["phone"]) if person.get("phone") else None, "role": role,
                "community_id": community.id if community else None, "team_id": team.id if team else None,
                "skills": list(person.get("skills", [])), "active": True,
            },
            "staff",
        )

    def responsible_for(self, staff: Staff, grid_codes: list[str], grids: dict[str, Grid]) -> None:
        for code in grid_codes:
            if code not in grids:
                raise ConfigError(f"{staff.name} 负责的网格 {code} 不存在")
            self._sync(StaffGrid, {"staff_id": staff.id, "grid_id": grids[code].id}, {}, "staff_grid")

    def run(self, config: dict) -> SeedReport:
        street = config.get("street") or {}
        street_name = street.get("name", "")
        seen_openids: set[str] = set()
        street_staff = [self.staff(p, p.get("role", "street_staff"), community=None) for p in street.get("staff", [])]
        departments = [self.staff(p, "department_staff", community=None) for p in street.get("departments", [])]
        by_openid = {s.openid: s for s in street_staff + departments}
        for entry in config.get("communities") or []:
            by_openid.update(self._community(entry, street_name))
        seen_openids.update(by_openid)
        for staff in self.session.scalars(select(Staff).where(Staff.active.is_(True))):
            if staff.openid not in seen_openids:
                staff.active = False  # left the roster: keep for the record, stop routing to them
                self.report.count("staff", False)
        self.session.flush()
        return self.report

    def _community(self, entry: dict, street_name: str) -> dict[str, Staff]:
        community = self._sync(
            Community,
            {"code": entry["code"]},
            {"name": entry["name"], "street": street_name, "service_center": entry.get("service_center", "")},
            "community",
        )
        people: dict[str, Staff] = {}
        for person in entry.get("staff", []):
            people[person["openid"]] = self.staff(person, "community_staff", community=community)
        grids: dict[str, Grid] = {}
        for spec in entry.get("grids", []):
            grid = self._grid(community, spec, people)
            grids[grid.code] = grid
        for kind, spec in (entry.get("teams") or {}).items():
            if kind not in TEAM_KINDS:
                raise ConfigError(f"{entry['name']} 的红色管家类别 {kind} 不在 {TEAM_KINDS} 中")
            team = self._sync(Team, {"community_id": community.id, "kind": kind}, {"name": spec["name"]}, "team")
            for person in spec.get("members", []):
                member = self.staff(person, "butler", community=community, team=team)
                self.responsible_for(member, person.get("grids", []), grids)
                people[member.openid] = member
        for role, key in (("volunteer", "volunteers"), ("mediator", "mediators")):
            for person in entry.get(key, []):
                member = self.staff(person, role, community=community)
                self.responsible_for(member, person.get("grids", []), grids)
                people[member.openid] = member
        self._escalation(community, entry.get("escalation") or {}, people)
        return people

    def _grid(self, community: Community, spec: dict, people: dict[str, Staff]) -> Grid:
        grid = self._sync(
            Grid,
            {"code": spec["code"]},
            {"community_id": community.id, "name": spec["name"], "households": int(spec.get("households", 0))},
            "grid",
        )
        leader = self.staff(spec["leader"], "grid_leader", community=community)
        people[leader.openid] = leader
        if grid.leader_id != leader.id:
            grid.leader_id = leader.id
        self.responsible_for(leader, [grid.code], {grid.code: grid})
        for person in spec.get("workers", []):
            worker = self.staff(person, "grid_worker", community=community)
            people[worker.openid] = worker
            self.responsible_for(worker, [grid.code], {grid.code: grid})
        for person in spec.get("building_leaders", []):
            member = self.staff(person, "building_leader", community=community)
            people[member.openid] = member
            self.responsible_for(member, [grid.code], {grid.code: grid})
        for block in spec.get("buildings", []):
            for number in expand_numbers(block.get("numbers", block.get("number"))):
                self._sync(
                    Building,
                    {"community_id": community.id, "number": number},
                    {
                        "grid_id": grid.id, "units": [str(u) for u in block.get("units", [])],
                        "floors": int(block.get("floors", 6)), "rooms_per_floor": int(block.get("rooms_per_floor", 2)),
                    },
                    "building",
                )
        return grid

    def _escalation(self, community: Community, spec: dict, people: dict[str, Staff]) -> None:
        for level in LEVELS:
            for openid in spec.get(level, []):
                staff = people.get(openid) or self.session.scalars(select(Staff).filter_by(openid=openid)).one_or_none()
                if staff is None:
                    raise ConfigError(f"{community.name} 的{level}级督办联系人 {openid} 不在名单中")
                self._sync(
                    EscalationContact,
                    {"community_id": community.id, "level": level, "staff_id": staff.id},
                    {},
                    "escalation_contact",
                )


def seed(session_factory, config: dict, *, now: datetime | None = None) -> SeedReport:
    """Apply config.yaml's community in one transaction, then make the coming recurring meetings."""
    with session_factory() as session:
        report = Seeder(session).run(config)
        session.commit()
    for _ in range(seed_meetings(session_factory, config.get("meetings"), now=now or datetime.now(timezone.utc))):
        report.count("meeting", True)
    log.info("seed.done created=%s updated=%s", report.created, report.updated)
    return report


def series_from_config(section: dict | None) -> list[dict]:
    """`meetings.series` of config.yaml as meeting_series rows: `weekday` (1 = Monday … 7 = Sunday)
    with `time`, or a crontab line in `cron`."""
    from handlers.recurrence import trigger, weekly

    rows = []
    for spec in (section or {}).get("series", []) or []:
        key = str(spec["key"])
        try:
            cron = str(spec["cron"]) if spec.get("cron") else weekly(int(spec["weekday"]), time.fromisoformat(str(spec["time"])))
            trigger(cron)
        except (KeyError, ValueError) as error:
            raise ConfigError(f"议事会 {key}：{error}") from error
        rows.append({
            "key": key, "community": str(spec["community"]), "grid": spec.get("grid"), "title": str(spec["title"]),
            "topic": str(spec.get("topic", "") or ""), "place": str(spec.get("place", "") or ""), "cron": cron,
            "minutes": int(spec.get("minutes", 90)), "capacity": int(spec.get("capacity", 30)),
            "skip_holidays": bool(spec.get("skip_holidays", True)),
        })
    return rows


def seed_meetings(session_factory, section: dict | None, *, now: datetime) -> int:
    """Make meeting_series match config.yaml's (series added by staff are left alone), then make the
    meetings of this week and the weeks ahead. Idempotent; returns how many meetings were new."""
    from handlers import meetings
    from storage.unit_of_work import UnitOfWork

    rows = series_from_config(section)
    with UnitOfWork(session_factory) as uow:
        keys = set()
        for row in rows:
            community = uow.directory.community_by_code(row.pop("community"))
            grid_code = row.pop("grid")
            grid = uow.directory.grid_by_code(grid_code) if grid_code else None
            if community is None or (grid_code and grid is None):
                raise ConfigError(f"议事会 {row['key']} 的社区或网格不存在")
            keys.add(row["key"])
            existing = uow.meetings.series(row["key"])
            values = {**row, "community_id": community.id, "grid_id": grid.id if grid else None, "active": True,
                      "source": "config"}
            if existing is None:
                uow.meetings.add_series(MeetingSeries(**values, created_at=now))
            else:
                for name, value in values.items():
                    if getattr(existing, name) != value:
                        setattr(existing, name, value)
        for series in uow.meetings.active_series():
            if series.source == "config" and series.key not in keys:
                series.active = False  # gone from config.yaml: no new meetings, the made ones stay
        created = meetings.materialise(uow, now=now, weeks_ahead=int((section or {}).get("weeks_ahead", 4)))
        uow.commit()
    return created
