"""Files that name their columns and codes their own way import after the steward maps
them, without an admin's help: a Spanish CSV, a DHIS2 data value set CSV, a French XLSX
and a semicolon / Latin-1 Portuguese CSV. The mapping is kept for the CoP and applied to
the next file; a code with nothing to map to is asked for, and the request waits for
those who may create sites and measures."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from django_scopes import scope
from openpyxl import Workbook

from communities.overview_person import person_needs
from copcore.models import AuditEvent
from measurement import services
from measurement.models import (
    ImportBatch,
    ImportCodeRequest,
    ImportProfile,
    Measure,
    Observation,
    Site,
)
from measurement.tests.helpers import codes, upload

D = dt.date


def profile_world(world) -> SimpleNamespace:
    """The CoP's own names: Eastfield Hospital (``eastfield``), a ``gender`` stratifier
    (``female``/``male``), monthly ``antibiotics_1h`` (proportion, by gender),
    ``door_to_needle`` (proportion), ``sepsis_cases`` (count) and weekly
    ``stroke_alerts`` (count)."""
    actor = world.convener
    community = world.community_a
    with scope(organization=world.org_a):
        gender = services.stratifier_create(
            actor=actor, organization=world.org_a, code="gender", name="Gender",
            categories=[("female", "Female"), ("male", "Male")],
        )  # fmt: skip
        eastfield = Site.objects.create(
            organization=world.org_a, name="Eastfield Hospital", code="eastfield"
        )
        services.enrolment_save(
            actor=actor, community=community, site=eastfield, wave=1,
            enrolled_on=dt.date(2023, 1, 1),
        )  # fmt: skip
        up = {"kind": Measure.Kind.PROCESS, "direction": Measure.Direction.UP}
        down = {"kind": Measure.Kind.OUTCOME, "direction": Measure.Direction.DOWN}
        services.measure_save(
            actor=actor, community=community, code="antibiotics_1h",
            name="Antibiotics within one hour", value_type=Measure.ValueType.PROPORTION,
            frequency=Measure.Frequency.MONTHLY, chart_type=Measure.ChartType.P,
            stratifiers=[gender], **up,
        )  # fmt: skip
        services.measure_save(
            actor=actor, community=community, code="door_to_needle",
            name="Door to needle within 60 minutes", value_type=Measure.ValueType.PROPORTION,
            frequency=Measure.Frequency.MONTHLY, chart_type=Measure.ChartType.P, **up,
        )  # fmt: skip
        services.measure_save(
            actor=actor, community=community, code="sepsis_cases", name="Sepsis cases",
            value_type=Measure.ValueType.COUNT, frequency=Measure.Frequency.MONTHLY,
            chart_type=Measure.ChartType.C, **down,
        )  # fmt: skip
        services.measure_save(
            actor=actor, community=community, code="stroke_alerts", name="Stroke alerts",
            value_type=Measure.ValueType.COUNT, frequency=Measure.Frequency.WEEKLY,
            chart_type=Measure.ChartType.C, **down,
        )  # fmt: skip
    return SimpleNamespace(community=community, eastfield=eastfield, gender=gender)


@pytest.fixture
def own(world, db):
    return profile_world(world)


def remap(world, batch, **mapping):
    with scope(organization=world.org_a), TestCase.captureOnCommitCallbacks(execute=True):
        services.import_batch_remap(actor=world.steward, batch=batch, **mapping)
        batch.refresh_from_db()
    return batch


def commit(world, batch):
    with scope(organization=world.org_a), TestCase.captureOnCommitCallbacks(execute=True):
        services.import_batch_request_commit(actor=world.steward, batch=batch, on_existing="skip")
        batch.refresh_from_db()
    return batch


def stored(world):
    with scope(organization=world.org_a):
        return set(
            Observation.objects.values_list(
                "measure__code", "site__code", "period", "category__code", "numerator", "value"
            )
        )


SPANISH = (
    "Indicador;Establecimiento;Mes;Estratificador;Categoría;Numerador;Denominador;Valor\r\n"
    "abx60;HSC;01/03/2024;;;45;50;\r\n"
    "abx60;HSC;01/03/2024;sex;f;20;24;\r\n"
    "hosep;HSC;01/03/2024;;;;;12\r\n"
    "abx60;HSC;01/04/2024;;;40;48;\r\n"
).encode()

SPANISH_COLUMNS = {
    "Indicador": "measure_code",
    "Establecimiento": "site_code",
    "Mes": "period",
    "Estratificador": "stratifier",
    "Categoría": "category",
    "Numerador": "numerator",
    "Denominador": "denominator",
    "Valor": "value",
}


def test_a_spanish_file_imports_after_mapping_its_columns_and_codes(world, own):
    batch = upload(world, SPANISH, "indicadores.csv")
    assert batch.status == ImportBatch.Status.INVALID
    assert codes(batch) == [(1, "measure_code,site_code,period", "missing_column")]
    assert batch.report["header"][:3] == ["Indicador", "Establecimiento", "Mes"]
    batch = remap(world, batch, columns=SPANISH_COLUMNS)
    assert batch.status == ImportBatch.Status.INVALID  # the columns are read; the codes not
    assert batch.report["unknown"] == {
        "measure": ["abx60", "hosep"],
        "site": ["HSC"],
        "category": ["sex|f"],
    }
    batch = remap(
        world,
        batch,
        measures={"abx60": "antibiotics_1h", "hosep": "sepsis_cases"},
        sites={"HSC": "eastfield"},
        categories={"sex|f": "gender|female"},
    )
    assert batch.status == ImportBatch.Status.VALIDATED, batch.report["errors"]
    assert batch.valid_rows == 4
    commit(world, batch)
    assert stored(world) == {
        ("antibiotics_1h", "eastfield", D(2024, 3, 1), None, 45, None),
        ("antibiotics_1h", "eastfield", D(2024, 3, 1), "female", 20, None),
        ("sepsis_cases", "eastfield", D(2024, 3, 1), None, None, 12),
        ("antibiotics_1h", "eastfield", D(2024, 4, 1), None, 40, None),
    }
    with scope(organization=world.org_a):
        profile = ImportProfile.objects.get(community=world.community_a)
        verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert profile.sites == {"hsc": "eastfield"} and profile.columns["mes"] == "period"
    assert {"measurement.import_profile_saved", "measurement.import_remapped"} <= verbs
    # The next file of the same shape is read through the profile at once.
    again = SPANISH.replace(b"01/03/2024", b"01/05/2024").replace(b"01/04/2024", b"01/06/2024")
    batch = upload(world, again, "indicadores-mayo.csv")
    assert batch.status == ImportBatch.Status.VALIDATED and batch.valid_rows == 4


DHIS2_CSV = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
    "lastupdated,comment,followup\n"
    "hosep,202403,DiszpKrYNg8,HllvX50cXC0,HllvX50cXC0,14,admin,2024-04-02T10:00:00,,false\n"
    "hosep,202404,DiszpKrYNg8,HllvX50cXC0,HllvX50cXC0,9,admin,2024-05-02T10:00:00,,false\n"
    "strk,2024W12,DiszpKrYNg8,HllvX50cXC0,HllvX50cXC0,3,admin,2024-03-25T10:00:00,,false\n"
    "strk,2024W13,DiszpKrYNg8,HllvX50cXC0,HllvX50cXC0,5,admin,2024-04-01T10:00:00,,false\n"
)


def test_a_dhis2_data_value_set_imports_after_mapping(world, own):
    batch = upload(world, DHIS2_CSV.encode(), "datavalueset.csv")
    assert codes(batch) == [(1, "measure_code,site_code", "missing_column")]
    batch = remap(
        world,
        batch,
        columns={"dataelement": "measure_code", "orgunit": "site_code"},
    )
    batch = remap(
        world,
        batch,
        measures={"hosep": "sepsis_cases", "strk": "stroke_alerts"},
        sites={"DiszpKrYNg8": "eastfield"},
    )
    assert batch.status == ImportBatch.Status.VALIDATED, batch.report["errors"]
    # DHIS2's own bookkeeping columns are reported as not used, not as errors.
    unused = {w["params"]["column"] for w in batch.report["warnings"]}
    assert unused == {
        "categoryoptioncombo",
        "attributeoptioncombo",
        "storedby",
        "lastupdated",
        "followup",
    }
    commit(world, batch)
    assert {(m, p, v) for m, _s, p, _c, _n, v in stored(world)} == {
        ("sepsis_cases", D(2024, 3, 1), 14),
        ("sepsis_cases", D(2024, 4, 1), 9),
        ("stroke_alerts", D(2024, 3, 18), 3),
        ("stroke_alerts", D(2024, 3, 25), 5),
    }


def _french_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Indicateur", "Établissement", "Période", "Numérateur", "Dénominateur"])
    sheet.append(["abx60", "HSC", dt.datetime(2024, 3, 1), 30, 35])
    sheet.append(["dtn", "HSC", "mars 2024", 7, 10])
    sheet.append(["dtn", "HSC", "202404", 8, 10])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_french_workbook_uses_what_the_profile_knows(world, own):
    first = upload(world, SPANISH, "indicadores.csv")
    remap(world, first, columns=SPANISH_COLUMNS, measures={"abx60": "antibiotics_1h"},
          sites={"HSC": "eastfield"})  # fmt: skip
    batch = upload(world, _french_xlsx(), "indicateurs.xlsx")
    assert codes(batch) == [(1, "measure_code,site_code,period", "missing_column")]
    batch = remap(
        world,
        batch,
        columns={
            "Indicateur": "measure_code",
            "Établissement": "site_code",
            "Période": "period",
            "Numérateur": "numerator",
            "Dénominateur": "denominator",
        },
    )
    # abx60 and HSC are known from the Spanish file: only dtn is left.
    assert batch.report["unknown"] == {"measure": ["dtn"], "site": [], "category": []}
    batch = remap(world, batch, measures={"dtn": "door_to_needle"})
    assert batch.status == ImportBatch.Status.VALIDATED, batch.report["errors"]
    commit(world, batch)
    assert {(m, p, n) for m, _s, p, _c, n, _v in stored(world)} == {
        ("antibiotics_1h", D(2024, 3, 1), 30),
        ("door_to_needle", D(2024, 3, 1), 7),
        ("door_to_needle", D(2024, 4, 1), 8),
    }


PORTUGUESE = (
    "Indicador;Unidade;Mês;Numerador;Denominador\r\n"
    "abx60;HSC;mar/2024;33;40\r\n"
    "abx60;HSC;abr/2024;35;40\r\n"
).encode("latin-1")


def test_a_latin1_semicolon_file_needs_only_its_new_column(world, own):
    first = upload(world, SPANISH, "indicadores.csv")
    remap(world, first, columns=SPANISH_COLUMNS, measures={"abx60": "antibiotics_1h"},
          sites={"HSC": "eastfield"})  # fmt: skip
    batch = upload(world, PORTUGUESE, "indicadores-pt.csv")
    assert batch.encoding == "latin-1"
    # "Mês" is the Spanish "Mes" without its accent: already known. "Unidade" is not.
    assert codes(batch) == [(1, "site_code", "missing_column")]
    batch = remap(world, batch, columns={"Unidade": "site_code"})
    assert batch.status == ImportBatch.Status.VALIDATED, batch.report["errors"]
    assert (batch.encoding, batch.delimiter) == ("latin-1", ";")
    commit(world, batch)
    assert {(p, n) for _m, _s, p, _c, n, _v in stored(world)} == {
        (D(2024, 3, 1), 33),
        (D(2024, 4, 1), 35),
    }


def test_mapping_refuses_what_is_not_the_cops_and_keeps_atomicity(world, own):
    batch = upload(world, SPANISH, "indicadores.csv")
    with scope(organization=world.org_a):
        with pytest.raises(ValidationError):
            services.import_batch_remap(
                actor=world.steward, batch=batch, measures={"abx60": "not_ours"}
            )
        with pytest.raises(ValidationError):
            services.import_batch_remap(
                actor=world.steward,
                batch=batch,
                columns={"Indicador": "measure_code", "Mes": "measure_code"},
            )
        with pytest.raises(PermissionDenied):
            services.import_batch_remap(
                actor=world.sponsor, batch=batch, sites={"HSC": "eastfield"}
            )
        assert not ImportProfile.objects.filter(community=world.community_a).exists()


def test_a_steward_asks_for_a_site_and_the_convener_sees_it(world, own):
    batch = upload(world, SPANISH, "indicadores.csv")
    with scope(organization=world.org_a):
        request = services.import_code_request_create(
            actor=world.steward, batch=batch, kind="site", code="HSC"
        )
        again = services.import_code_request_create(
            actor=world.steward, batch=batch, kind="site", code="HSC"
        )
        assert again.pk == request.pk
        with pytest.raises(PermissionDenied):  # a steward cannot close it
            services.import_code_request_resolve(
                actor=world.steward, request=request, status="done"
            )
        community = world.community_a
        # Sites are the organization's: its admins (the convener here) create them.
        convener_needs = person_needs(
            user=world.convener,
            communities=[community],
            perms={community.pk: frozenset({"communities.manage_members"})},
        )
        steward_needs = person_needs(
            user=world.steward,
            communities=[community],
            perms={community.pk: frozenset({"measurement.submit_data"})},
        )
        member_needs = person_needs(
            user=world.member,
            communities=[community],
            perms={community.pk: frozenset({"measurement.manage_measures"})},
        )
    assert [(line.community, line.count) for line in convener_needs.import_requests] == [
        (community, 1)
    ]
    assert steward_needs.import_requests == member_needs.import_requests == []
    with scope(organization=world.org_a):
        services.import_code_request_create(
            actor=world.steward, batch=batch, kind="measure", code="abx60"
        )
        # A measure request waits for those who manage the CoP's measures.
        member_needs = person_needs(
            user=world.member,
            communities=[community],
            perms={community.pk: frozenset({"measurement.manage_measures"})},
        )
        services.import_code_request_resolve(
            actor=world.convener, request=request, status="declined"
        )
        assert not ImportCodeRequest.objects.filter(code="HSC", status="open").exists()
    assert [line.count for line in member_needs.import_requests] == [1]


# Pages ----------------------------------------------------------------------------------


def _detail(world, batch):
    return reverse(
        "measurement:import_detail", kwargs={"org_slug": world.org_a.slug, "batch_id": batch.pk}
    )


def _mapping_url(world, batch, name="measurement:import_mapping"):
    return reverse(name, kwargs={"org_slug": world.org_a.slug, "batch_id": batch.pk})


def test_the_check_page_maps_and_keeps_what_was_chosen(world, own, client_for):
    steward = client_for(world.steward)
    batch = upload(world, SPANISH, "indicadores.csv")
    with translation.override("en"):
        page = steward.get(_detail(world, batch)).content.decode()
    assert "Read this file's own names as this CoP's" in page
    assert 'name="column-0-theirs" value="Indicador"' in page
    body = {"csrfmiddlewaretoken": "x"}
    for index, (theirs, ours) in enumerate(SPANISH_COLUMNS.items()):
        body[f"column-{index}-theirs"] = theirs
        body[f"column-{index}-ours"] = ours
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = steward.post(_mapping_url(world, batch), body)
    assert response.status_code == 302
    page = steward.get(_detail(world, batch)).content.decode()
    assert 'name="measure-0-theirs" value="abx60"' in page and "Eastfield Hospital" in page
    # A wrong choice is refused and the page keeps every choice made.
    bad = {
        "measure-0-theirs": "abx60",
        "measure-0-ours": "antibiotics_1h",
        "measure-1-theirs": "hosep",
        "measure-1-ours": "nope",
    }
    response = steward.post(_mapping_url(world, batch), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert '<option value="antibiotics_1h" selected>' in html
    # Asking for a site that does not exist.
    response = steward.post(
        _mapping_url(world, batch, "measurement:import_code_request"), {"request": "site|HSC"}
    )
    assert response.status_code == 302
    with scope(organization=world.org_a):
        assert ImportCodeRequest.objects.get().code == "HSC"
    convener = client_for(world.convener)
    listing = reverse(
        "measurement:import_code_requests",
        kwargs={"org_slug": world.org_a.slug, "community_slug": world.community_a.slug},
    )
    assert "HSC" in convener.get(listing).content.decode()
    assert steward.get(listing).status_code == 200  # the steward manages measures, not sites
    assert "HSC" not in steward.get(listing).content.decode()
    assert client_for(world.member).get(listing).status_code == 403
    with scope(organization=world.org_a):
        pk = ImportCodeRequest.objects.get().pk
    convener.post(listing, {"request": pk, "status": "done"})
    with scope(organization=world.org_a):
        assert ImportCodeRequest.objects.get().status == ImportCodeRequest.Status.DONE
