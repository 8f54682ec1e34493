"""The search service: a real one over HTTP when ``EXAMPLE_SEARCH_URL`` names it, else a
stand-in that reads the database, where the query ``fail`` plays the service being down."""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings

from api_errors.integrations.outgoing_httpx import correlated_client
from example_project.drive.models import DriveItem

FAILING_QUERY = "fail"
MAX_RESULTS = 20
# Seconds the search service may take, connecting included, before the search is a 502.
SEARCH_TIMEOUT = 3.0


def search_upstream(query: str) -> list[dict[str, Any]]:
    """The items matching ``query``; raises ``ConnectionError`` (or ``TimeoutError``) when the
    service cannot answer, as the search view expects of any client."""
    url = getattr(settings, "EXAMPLE_SEARCH_URL", "")
    if url:
        return _search_over_http(url, query)
    if query == FAILING_QUERY:
        raise ConnectionError("search backend search.internal:9200 refused the connection")
    items = DriveItem.objects.filter(name__icontains=query).order_by("name")[:MAX_RESULTS]
    return [
        {"id": item.pk, "name": item.name, "kind": item.kind, "parent": item.parent_id}
        for item in items
    ]


def _search_over_http(url: str, query: str) -> list[dict[str, Any]]:
    """``GET url?q=query``, answered with ``{"results": [...]}``. The request's correlation
    id goes along: the example puts the service's host on ``OUTGOING_CORRELATION_HOSTS``."""
    try:
        with correlated_client(timeout=SEARCH_TIMEOUT) as client:
            response = client.get(url, params={"q": query})
            response.raise_for_status()
            results = list(response.json()["results"])
    except httpx.TimeoutException as exc:
        raise TimeoutError(f"search service {url} did not answer in time") from exc
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        # Refused, reset, an error status, or a body that is not the results: to the client,
        # all the same outage.
        raise ConnectionError(f"search service {url} failed: {exc}") from exc
    return results[:MAX_RESULTS]
