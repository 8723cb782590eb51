"""Every write of the measurement app, by subject: reference data (``sites``),
measures (``measures``), data entry (``entry``), approval (``approval``), file imports
(``imports``), import profiles (``import_profiles``), interrupted imports and staging
files (``import_recovery``) and API imports (``api_import``). Keyword-only, typed, atomic
and audited. This package gathers their public names (``services.measure_save(...)``);
the modules import each other, never this package.
"""

from measurement.services.api_import import (
    API_MAX_ROWS,
    ApiImportResult,
    observations_import_rows,
)
from measurement.services.approval import (
    observations_approve,
    observations_return,
)
from measurement.services.entry import (
    GridEntry,
    observations_save_grid,
)
from measurement.services.import_profiles import (
    import_batch_remap,
    import_code_request_create,
    import_code_request_resolve,
    import_profile_save,
)
from measurement.services.import_recovery import (
    import_batch_fail_if_stopped,
    import_batch_is_stale,
    import_batch_retry,
    import_batch_retry_step,
    import_batches_fail_stopped,
    import_staging_sweep,
    import_sweep_organization_ids,
)
from measurement.services.imports import (
    PROGRESS_EVERY,
    TextSink,
    check_again,
    copy_counts,
    import_batch_commit,
    import_batch_create,
    import_batch_fail,
    import_batch_recheck,
    import_batch_request_commit,
    import_batch_start,
    import_batch_validate,
    import_should_run_inline,
    validate_rows,
)
from measurement.services.measures import (
    MEASURE_FIELDS,
    measure_save,
    phase_break_add,
)
from measurement.services.rare_events import (
    EventRowsInvalid,
    counts_sync,
    rare_event_delete,
    rare_event_record,
    rare_events_record_many,
)
from measurement.services.sites import (
    data_policy_update,
    enrolment_save,
    site_save,
    stratifier_create,
)

__all__ = [
    "API_MAX_ROWS",
    "ApiImportResult",
    "GridEntry",
    "MEASURE_FIELDS",
    "PROGRESS_EVERY",
    "TextSink",
    "copy_counts",
    "counts_sync",
    "rare_event_delete",
    "rare_event_record",
    "rare_events_record_many",
    "EventRowsInvalid",
    "data_policy_update",
    "enrolment_save",
    "import_batch_commit",
    "import_batch_create",
    "import_batch_fail",
    "import_batch_fail_if_stopped",
    "import_batch_is_stale",
    "import_batch_recheck",
    "import_batch_remap",
    "import_code_request_create",
    "import_code_request_resolve",
    "import_profile_save",
    "import_batch_request_commit",
    "import_batch_retry",
    "import_batch_retry_step",
    "import_batch_start",
    "import_batch_validate",
    "check_again",
    "import_batches_fail_stopped",
    "import_should_run_inline",
    "import_staging_sweep",
    "import_sweep_organization_ids",
    "measure_save",
    "observations_approve",
    "observations_import_rows",
    "observations_return",
    "observations_save_grid",
    "phase_break_add",
    "site_save",
    "stratifier_create",
    "validate_rows",
]
