"""The demo's DHIS2 server: the stub (``measurement.dhis2.stub``) filled with a small
national programme's data for the second demo organization (Southvale): two facilities
reporting the six-week postnatal check for the last twelve complete months. Used by
``seed_demo`` for the recorded pull and by ``manage.py dhis2_demo_stub``, which serves
it on 127.0.0.1 so the connection test, the preview and new pulls work in the demo."""

from __future__ import annotations

import datetime as dt

from measurement.dhis2.pulls import periods_for
from measurement.dhis2.stub import StubDhis2
from measurement.dhis2_periods import format_dhis2_period

DEMO_TOKEN = "d2pat_demoStubTokenForTheSouthvaleDemo000001"  # the demo stub's, not a secret
DEMO_PORT = 8710
UNITS = {
    "SVM": ("fdc6uOvgoji", "Southvale Maternity Unit"),
    "SVC": ("jUb8gELQApl", "Southvale Community Clinic"),
}
NUMERATOR, DENOMINATOR = "pncCheckDone", "pncBirthsDue"


def demo_stub(today: dt.date, months: int = 12) -> StubDhis2:
    app = StubDhis2(token=DEMO_TOKEN, username="southvale.sync", version="2.40.4")
    app.org_units = [
        {"id": uid, "code": code, "displayName": name} for code, (uid, name) in UNITS.items()
    ]
    app.data_elements = [
        {"id": NUMERATOR, "code": "PNC_6W_DONE", "displayName": "PNC six-week check done"},
        {"id": DENOMINATOR, "code": "PNC_6W_DUE", "displayName": "Births due a six-week check"},
    ]
    for index, start in enumerate(periods_for("monthly", months, today)):
        pe = format_dhis2_period(start, "monthly")
        for offset, (uid, _name) in enumerate(UNITS.values()):
            due = 40 + 7 * offset + (index * 3) % 9
            app.values[(NUMERATOR, uid, pe, "")] = min(due, 18 + offset * 4 + index * 2)
            app.values[(DENOMINATOR, uid, pe, "")] = due
    return app
