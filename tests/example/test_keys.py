"""The example's per-worker cache of API keys: no query for a known key, and a saved
key's new plan, state or secret is seen at once in the process that saved it."""

from __future__ import annotations

import pytest

from example_project.drive.management.commands.seed_demo import DEMO_KEY
from example_project.drive.models import ApiKey
from tests.example.support import bearer

pytestmark = pytest.mark.urls("example_project.urls")


def test_a_known_key_is_found_without_a_query(api, django_assert_num_queries):
    assert api.get("/api/drive/items/").status_code == 200
    with django_assert_num_queries(1):  # the items themselves, not the key
        assert api.get("/api/drive/items/").status_code == 200


def test_a_saved_plan_applies_to_the_next_call(client, items, example_api_errors):
    def search():
        return client.get("/api/search/", {"q": "read"}, headers=bearer(DEMO_KEY))

    assert search().status_code == 200
    api_key = ApiKey.objects.get(key=DEMO_KEY)
    api_key.rate = ""
    api_key.save()
    assert [search().status_code for _ in range(8)] == [200] * 8


def test_a_disabled_or_rotated_key_is_refused_at_once(api, client, items):
    assert api.get("/api/drive/items/").status_code == 200
    api_key = ApiKey.objects.get(key=DEMO_KEY)
    api_key.key = "rotated-key-456"
    api_key.save()
    assert client.get("/api/drive/items/", headers=bearer(DEMO_KEY)).status_code == 401
    assert client.get("/api/drive/items/", headers=bearer("rotated-key-456")).status_code == 200
    api_key.is_active = False
    api_key.save()
    assert client.get("/api/drive/items/", headers=bearer("rotated-key-456")).status_code == 401
