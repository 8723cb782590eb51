"""Every write of the sessions app. Keyword-only, atomic, audited.

Permission checks belong to the callers (pages and API, through ``sessions.access``);
the rules that hold whoever calls (one vote each, closed polls, sessions that end
after they start, parseable recurrence rules, de-identification confirmation) are
enforced here so that pages and API behave alike."""

from sessions.services.actions import (
    action_item_create,
    action_item_set_status,
    decision_record,
)
from sessions.services.attendance import (
    attendance_mark,
    attendance_respond,
)
from sessions.services.breakouts import (
    breakout_notes_update,
    breakouts_split,
    random_groups,
)
from sessions.services.cases import (
    CASE_TEXT_FIELDS,
    IDENTIFYING_TEXT,
    case_create,
    case_update,
    is_identifying_text_error,
)
from sessions.services.feed import (
    feed_token_hash,
    feed_token_reset,
    feed_token_revoke,
)
from sessions.services.meetings import (
    SESSION_RECORD_FIELDS,
    session_cancel,
    session_create,
    session_move,
    session_reinstate,
    session_update_record,
)
from sessions.services.polls import (
    poll_create,
    poll_set_open,
    poll_vote,
)
from sessions.services.rota import (
    facilitator_set,
    swap_request_create,
    swap_request_respond,
    swap_request_withdraw,
)
from sessions.services.series import (
    GENERATE_AHEAD,
    occurrences_generate,
    occurrences_generate_all,
    series_create,
    series_deactivate,
    series_rota_set,
)
from sessions.services.transcripts import transcript_upload

__all__ = [
    "CASE_TEXT_FIELDS",
    "GENERATE_AHEAD",
    "IDENTIFYING_TEXT",
    "SESSION_RECORD_FIELDS",
    "action_item_create",
    "action_item_set_status",
    "attendance_mark",
    "attendance_respond",
    "breakout_notes_update",
    "breakouts_split",
    "case_create",
    "case_update",
    "decision_record",
    "facilitator_set",
    "feed_token_hash",
    "feed_token_reset",
    "feed_token_revoke",
    "is_identifying_text_error",
    "transcript_upload",
    "occurrences_generate",
    "occurrences_generate_all",
    "poll_create",
    "poll_set_open",
    "poll_vote",
    "random_groups",
    "series_create",
    "series_deactivate",
    "series_rota_set",
    "session_cancel",
    "session_create",
    "session_move",
    "session_reinstate",
    "session_update_record",
    "swap_request_create",
    "swap_request_respond",
    "swap_request_withdraw",
]
