"""Session pages (mounted at /o/<org_slug>/) and the private calendar feed.

Thin: each view finds the community the viewer may see (else 404), checks the role
for the action (else 403), then calls a selector or a service. Every page works
without JavaScript; ``static/js/sessions.js`` only refreshes poll results."""

from sessions.views.actions import (
    action_item_create,
    action_item_status,
    community_actions,
    decision_create,
    my_actions,
)
from sessions.views.attendance import (
    attendance_csv,
    attendance_record,
    attendance_reply,
)
from sessions.views.breakouts import (
    breakout_notes,
    breakouts,
)
from sessions.views.cases import (
    case_create,
    case_edit,
)
from sessions.views.feed import (
    calendar_feed,
    calendar_settings,
)
from sessions.views.meetings import (
    series_create,
    series_detail,
    session_cancel,
    session_create,
    session_detail,
    session_edit,
    session_ics,
    session_list,
    session_move,
)
from sessions.views.polls import (
    poll_create,
    poll_results,
    poll_toggle,
    poll_vote,
)
from sessions.views.rota import (
    facilitator,
    my_swaps,
    swap_respond,
)
from sessions.views.transcripts import transcript_upload

__all__ = [
    "transcript_upload",
    "action_item_create",
    "action_item_status",
    "attendance_csv",
    "attendance_record",
    "attendance_reply",
    "breakout_notes",
    "breakouts",
    "calendar_feed",
    "calendar_settings",
    "case_create",
    "case_edit",
    "community_actions",
    "decision_create",
    "facilitator",
    "my_actions",
    "my_swaps",
    "poll_create",
    "poll_results",
    "poll_toggle",
    "poll_vote",
    "series_create",
    "series_detail",
    "session_cancel",
    "session_create",
    "session_detail",
    "session_edit",
    "session_ics",
    "session_list",
    "session_move",
    "swap_respond",
]
