import pytest

from copcore import versioned_cache as cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with empty caches (the shared one may be a Redis)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dash(world):
    from dashboards.tests.helpers import dash_world

    return dash_world(world)
