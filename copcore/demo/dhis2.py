"""The second organization's DHIS2 connection (Southvale): a mapping of its postpartum
CoP to the demo DHIS2 server, and one **recorded pull**: seed_demo runs the real pull
against the demo stub started in-process for the moment, imports it as a steward would,
and leaves the connection pointed at ``http://127.0.0.1:8710``, where
``manage.py dhis2_demo_stub`` (``make dhis2-stub``) serves the same data so the test,
the preview and new pulls work while ``make run`` runs."""

from __future__ import annotations

from django.db.models import Max
from django.test.utils import override_settings

from copcore.demo.clock import days_ago, today
from copcore.demo.people import OUTSIDER, Cast
from measurement import services as measurement
from measurement.dhis2 import pulls
from measurement.dhis2 import services as dhis2
from measurement.dhis2.demo_server import (
    DEMO_PORT,
    DEMO_TOKEN,
    DENOMINATOR,
    NUMERATOR,
    UNITS,
    demo_stub,
)
from measurement.dhis2.stub import serve
from measurement.models import (
    Dhis2Connection,
    Dhis2Mapping,
    ImportBatch,
    Measure,
    Observation,
    Site,
)
from measurement.periods import last_complete_period

DEMO_URL = f"http://127.0.0.1:{DEMO_PORT}"


def southvale_dhis2(cast: Cast, cop) -> None:
    """Idempotent: a later seed pulls only the months that are new since the last one
    (the pull itself leaves unchanged values alone), so the demo stays current."""
    mapping = Dhis2Mapping.objects.filter(community=cop).first()
    if mapping is None:
        _connect_and_map(cast, cop)
    else:
        _recorded_pull(cast, mapping)


def _connect_and_map(cast: Cast, cop) -> None:
    admin = cast[OUTSIDER]
    sites = {}
    for code, (_uid, name) in UNITS.items():
        site = Site.objects.filter(organization=cast.other, code=code).first()
        if site is None:
            site = measurement.site_save(
                actor=admin, organization=cast.other, name=name, code=code,
                kind=Site.Kind.HOSPITAL if code == "SVM" else Site.Kind.CLINIC,
                country="United Kingdom",
            )  # fmt: skip
        measurement.enrolment_save(
            actor=admin, community=cop, site=site, wave=1, enrolled_on=days_ago(500)
        )
        sites[code] = site
    measure = Measure.objects.filter(community=cop, code="pnc6w").first() or (
        measurement.measure_save(
            actor=admin, community=cop, code="pnc6w",
            name="Six-week postnatal check done",
            kind=Measure.Kind.PROCESS, value_type=Measure.ValueType.PROPORTION,
            frequency=Measure.Frequency.MONTHLY, direction=Measure.Direction.UP,
            chart_type=Measure.ChartType.P,
            numerator_definition="Mothers seen for the six-week check in the month",
            denominator_definition="Mothers whose six-week check fell due in the month",
            data_source="National DHIS2 (postnatal care data set)",
        )
    )  # fmt: skip
    connection = dhis2.connection_save(
        actor=admin, organization=cast.other, base_url=DEMO_URL, auth="token",
        secret=DEMO_TOKEN, push_enabled=True,
    )  # fmt: skip
    mapping = dhis2.mapping_save(
        actor=admin, community=cop, schedule="monthly", data_set="pncMonthly01"
    )
    for code, (uid, _name) in UNITS.items():
        dhis2.site_map_add(actor=admin, mapping=mapping, site=sites[code], org_unit=uid)
    dhis2.measure_map_add(
        actor=admin, mapping=mapping, measure=measure,
        numerator_item=NUMERATOR, denominator_item=DENOMINATOR,
    )  # fmt: skip
    _recorded_pull(cast, mapping, test=connection)


def _recorded_pull(cast: Cast, mapping: Dhis2Mapping, test: Dhis2Connection | None = None) -> None:
    """The real pull against the demo stub, served in-process for the moment; the
    connection keeps pointing where ``manage.py dhis2_demo_stub`` listens."""
    last = Observation.objects.filter(batch__source=ImportBatch.Source.DHIS2).aggregate(
        latest=Max("period")
    )["latest"]
    if last is not None and last >= last_complete_period("monthly", today()):
        return
    admin = cast[OUTSIDER]
    with serve(demo_stub(today())) as url, override_settings(DHIS2_RETRIES=0):
        Dhis2Connection.objects.filter(organization=cast.other).update(base_url=url)
        try:
            if test is not None:
                test.refresh_from_db()
                dhis2.connection_test(actor=admin, connection=test)
            pull = pulls.pull_run(actor=admin, mapping=mapping)
        finally:
            Dhis2Connection.objects.filter(organization=cast.other).update(base_url=DEMO_URL)
    if pull.batch is not None and pull.batch.status == ImportBatch.Status.VALIDATED:
        measurement.import_batch_request_commit(
            actor=admin, batch=pull.batch, on_existing=ImportBatch.OnExisting.SKIP
        )
