"""The data pages get their disclosers from the dashboards app, registered at start-up,
and fail closed without one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from dashboards.selectors import observations
from measurement import disclosers


def test_the_dashboards_app_registers_its_disclosers():
    assert disclosers._registry.for_community is observations.ObservationDiscloser
    assert disclosers._registry.for_organization is observations.OrganizationDiscloser


def test_without_a_registered_discloser_the_data_pages_refuse(monkeypatch):
    monkeypatch.setattr(disclosers, "_registry", disclosers._Registry())
    with pytest.raises(ImproperlyConfigured):
        disclosers.ObservationDiscloser(user=None, community=None)
    with pytest.raises(ImproperlyConfigured):
        disclosers.OrganizationDiscloser(user=None)
