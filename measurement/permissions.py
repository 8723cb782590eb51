"""Permissions of the measurement app, granted per community through roles."""

from enum import StrEnum


class MeasurementPermission(StrEnum):
    VIEW_DATA = "measurement.view_data"
    VIEW_UNSUPPRESSED = "measurement.view_unsuppressed"
    SUBMIT_DATA = "measurement.submit_data"
    APPROVE_DATA = "measurement.approve_data"
    MANAGE_MEASURES = "measurement.manage_measures"
