"""Permissions of the sessions app (label ``cop_sessions``), granted per community."""

from enum import StrEnum


class SessionPermission(StrEnum):
    ATTEND = "cop_sessions.attend"
    MANAGE_SESSIONS = "cop_sessions.manage_sessions"
    RECORD_ATTENDANCE = "cop_sessions.record_attendance"
