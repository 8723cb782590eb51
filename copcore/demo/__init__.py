"""The demo network, loaded by ``manage.py seed_demo`` (and ``make run``).

One organization with three CoPs, one in each phase, and a second organization with
its own small CoP. Everything is written through the apps' services (so audit events,
versions, permissions and checks are the real ones) and every date is counted from
the day it runs. Running it again changes nothing; running it on a later day adds
what time has made due (the months up to the new last month, the next sessions, an
action item due, a renewed term ending soon) and never duplicates.

One module per subject: ``people`` (logins, organizations, sites, role terms),
``sepsis`` (the Implementation CoP's design, charter and discussions), ``knowledge``,
``data`` (measures and observations), ``sessions``, ``evaluation``, ``design`` (the
Design CoP and the second organization) and ``concluded`` (the archived CoP).
"""

from __future__ import annotations

from django.db import transaction
from django_scopes import scope, scopes_disabled

from communities.services import roles_sync_all
from copcore.demo import (
    concluded,
    data,
    design,
    dhis2,
    evaluation,
    knowledge,
    people,
    places,
    progress,
    rare_events,
    sepsis,
    sessions,
    sign_in,
)
from copcore.demo.clock import days_ago
from copcore.demo.people import DEMO_PASSWORD, OUTSIDER, PERSONAS, Cast, Persona

__all__ = ["DEMO_PASSWORD", "OUTSIDER", "PERSONAS", "Persona", "seed_demo"]


def _ensure_reference_data() -> None:
    """The CFIR constructs and ERIC strategies come from a data migration; a database
    emptied since (a flushed test database, for one) gets them again, as the migration
    writes them, so the demo's CFIR round and strategy choices can refer to them."""
    import importlib

    from django.apps import apps

    from evaluation.models import CfirConstruct

    if not CfirConstruct.objects.exists():
        importlib.import_module("evaluation.migrations.0002_reference_data").load(apps, None)


@transaction.atomic
def seed_demo() -> list[Persona]:
    """Create or refresh the demo; returns the personas with a login."""
    with scopes_disabled():
        roles_sync_all()  # the permission rows and groups the role terms use
        _ensure_reference_data()
        users, organization, other = people.people_and_organizations()
    cast = Cast(organization=organization, other=other, users=users, sites={})
    with scope(organization=organization):
        people.memberships(cast)
        cast.sites = people.sites(cast)
        cop, _created = people.community(
            cast, sepsis.NAME, sepsis.SLUG, since=days_ago(sepsis.STARTED_DAYS_AGO)
        )
        sepsis.design_and_roles(cast, cop)
        sepsis.charter_second_version(cast, cop)
        tags = sepsis.tags(cast, cop)
        sepsis.discussions(cast, cop, tags)
        places.places(cast, cop)
        sepsis.escalation(cast, cop)
        sepsis.join_request(cast, cop)
        measures = data.measures_and_sites(cast, cop)
        data.observations(cast, cop, measures)
        rare_events.events(cast, cop)
        data.import_with_errors(cast, cop)
        data.import_with_own_names(cast, cop)
        data.chart_annotations(cast, cop, measures)
        data.reaim(cast, cop)
        knowledge.assets(cast, cop, tags)
        knowledge.field_notes(cast, cop, tags)
        knowledge.tests_of_change(cast, cop, measures, tags)
        sessions.rhythm(cast, cop)
        evaluation.cfir(cast, cop)
        evaluation.periodic_survey(cast, cop)
        progress.ratings(cast, cop)
        design.design_community(cast)
        concluded.concluded_community(cast)
    with scope(organization=other):
        postpartum = design.other_organization(cast)
        dhis2.southvale_dhis2(cast, postpartum)
        sign_in.identity_provider(cast)
    with scopes_disabled():
        sign_in.second_factor(cast)
        roles_sync_all()  # terms that start or end today take effect at once
    from knowledge.search.indexing import rebuild

    rebuild()  # the one search index, complete whatever the writes above scheduled
    return [*PERSONAS, OUTSIDER]
