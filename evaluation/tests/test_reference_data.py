"""The reference data match their sources: CFIR 2.0 (Damschroder et al. 2022: five
domains, 48 constructs, 19 sub-constructs) and ERIC (Powell et al. 2015: 73 strategies;
Waltz et al. 2015: nine clusters, each strategy in exactly one)."""

from __future__ import annotations

import pytest
from django.db.models import Count

from evaluation.models import CfirConstruct, CfirDomain, EricCluster, EricStrategy

pytestmark = pytest.mark.django_db

# Constructs per domain in Damschroder et al. 2022 (Individuals: 9 roles + 4 characteristics)
CONSTRUCTS_PER_DOMAIN = {"I": 8, "II": 7, "III": 11, "IV": 13, "V": 9}
SUBCONSTRUCTS_PER_CONSTRUCT = {
    "II.G": 3,  # external pressure: societal, market, performance-measurement
    "III.A": 3,  # structural characteristics: physical, IT, work infrastructure
    "III.D": 4,  # culture: human equality-, recipient-, deliverer-, learning-centredness
    "III.J": 3,  # available resources: funding, space, materials & equipment
    "V.B": 2,  # assessing needs: deliverers, recipients
    "V.F": 2,  # engaging: deliverers, recipients
    "V.H": 2,  # reflecting & evaluating: implementation, innovation
}
# Strategies per cluster in Waltz et al. 2015
STRATEGIES_PER_CLUSTER = {1: 10, 2: 4, 3: 4, 4: 17, 5: 11, 6: 5, 7: 5, 8: 9, 9: 8}


def test_cfir_domains_constructs_and_subconstructs():
    assert CfirDomain.objects.count() == 5
    top = CfirConstruct.objects.filter(parent__isnull=True)
    assert top.count() == 48
    assert CfirConstruct.objects.filter(parent__isnull=False).count() == 19
    per_domain = dict(top.values_list("domain__roman").annotate(n=Count("id")))
    assert per_domain == CONSTRUCTS_PER_DOMAIN
    children = dict(
        CfirConstruct.objects.filter(parent__isnull=False)
        .values_list("parent__code")
        .annotate(n=Count("id"))
    )
    assert children == SUBCONSTRUCTS_PER_CONSTRUCT
    individuals = CfirConstruct.objects.filter(domain__roman="IV")
    assert individuals.filter(subdomain="roles").count() == 9
    assert individuals.filter(subdomain="characteristics").count() == 4
    assert set(
        CfirConstruct.objects.filter(parent__code="III.D").values_list("name", flat=True)
    ) == {
        "Human Equality-Centeredness",
        "Recipient-Centeredness",
        "Deliverer-Centeredness",
        "Learning-Centeredness",
    }


def test_every_construct_has_a_definition_and_a_domain_matching_its_code():
    for construct in CfirConstruct.objects.select_related("domain", "parent"):
        assert construct.definition.strip()
        assert construct.code.split(".")[0] == construct.domain.roman
        if construct.parent:
            assert construct.parent.domain_id == construct.domain_id


def test_eric_strategies_and_clusters():
    assert EricStrategy.objects.count() == 73
    assert EricCluster.objects.count() == 9
    per_cluster = dict(EricStrategy.objects.values_list("cluster__number").annotate(n=Count("id")))
    assert per_cluster == STRATEGIES_PER_CLUSTER
    assert sum(per_cluster.values()) == 73  # every strategy in exactly one cluster
    assert sorted(EricStrategy.objects.values_list("number", flat=True)) == list(range(1, 74))
    assert not EricStrategy.objects.filter(definition="").exists()
    for name in (
        "Audit and provide feedback",
        "Conduct cyclical small tests of change",
        "Create a learning collaborative",
        "Identify and prepare champions",
        "Facilitation",
        "Remind clinicians",
        "Tailor strategies",
        "Visit other sites",
    ):
        assert EricStrategy.objects.filter(name=name).exists(), name
