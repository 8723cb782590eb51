"""Permissions of the measurement app, granted per community through roles."""

from enum import StrEnum


class MeasurementPermission(StrEnum):
    VIEW_DATA = "measurement.view_data"
    # Data not yet approved, where a CoP does not require approval. Participants
    # hold it; sponsors do not, so they only ever see approved data.
    VIEW_SUBMITTED = "measurement.view_submitted"
    VIEW_UNSUPPRESSED = "measurement.view_unsuppressed"
    SUBMIT_DATA = "measurement.submit_data"
    APPROVE_DATA = "measurement.approve_data"
    MANAGE_MEASURES = "measurement.manage_measures"
