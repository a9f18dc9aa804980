"""All models, importable from one place (Alembic reads Base.metadata from here)."""
from storage.models.base import Base, UTCDateTime
from storage.models.cases import Case, CaseCounter, CaseEvent
from storage.models.closed_loop import CaseFollower, DeadlineAlert, PointsEntry
from storage.models.dialogue import DialogueState
from storage.models.directory import Building, Community, EscalationContact, Grid, Staff, StaffGrid, Team
from storage.models.meetings import Meeting, MeetingSeries, MeetingSignup, TopicProposal
from storage.models.messaging import InboundMessage, OutboxMessage
from storage.models.residents import Resident
from storage.models.scheduling import APSCHEDULER_TABLE, SchedulerLease

__all__ = [
    "Base", "UTCDateTime", "Building", "Case", "CaseCounter", "CaseEvent", "Community", "DialogueState",
    "EscalationContact", "Grid", "InboundMessage", "OutboxMessage", "Resident", "SchedulerLease", "APSCHEDULER_TABLE",
    "Staff", "StaffGrid", "Team", "CaseFollower", "DeadlineAlert", "PointsEntry",
    "Meeting", "MeetingSeries", "MeetingSignup", "TopicProposal",
]
