"""A stand-in for a remote search service; the query ``fail`` plays the service being down."""

from __future__ import annotations

from typing import Any

from example_project.drive.models import DriveItem

FAILING_QUERY = "fail"
MAX_RESULTS = 20


def search_upstream(query: str) -> list[dict[str, Any]]:
    """Items whose name contains ``query``; raises ``ConnectionError`` like a real client would."""
    if query == FAILING_QUERY:
        raise ConnectionError("search backend search.internal:9200 refused the connection")
    items = DriveItem.objects.filter(name__icontains=query).order_by("name")[:MAX_RESULTS]
    return [
        {"id": item.pk, "name": item.name, "kind": item.kind, "parent": item.parent_id}
        for item in items
    ]
