"""Permissions of the communities app, granted per community through roles."""

from enum import StrEnum


class CommunityPermission(StrEnum):
    VIEW = "communities.view_community"
    # Discussions, the member directory and everything else members keep among
    # themselves; sponsors only see the read-only overview.
    VIEW_DISCUSSIONS = "communities.view_discussions"
    POST = "communities.post_message"
    EDIT_DESIGN = "communities.edit_design"
    EDIT_CHARTER = "communities.edit_charter"
    CHANGE_PHASE = "communities.change_phase"
    MANAGE_ROLES = "communities.manage_roles"
    MANAGE_MEMBERS = "communities.manage_members"
    MANAGE_WORKSTREAMS = "communities.manage_workstreams"
    MODERATE = "communities.moderate"
    ESCALATE = "communities.escalate"
