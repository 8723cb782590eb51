import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the cache may be a shared Redis)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dash(world):
    from measurement.tests.dashboards.helpers import dash_world

    return dash_world(world)
