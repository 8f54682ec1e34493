"""The example's Celery task: it runs in the worker under the correlation id of the request
that queued it, so its log line carries that id."""

from __future__ import annotations

import logging

from example_project.celery import app

logger = logging.getLogger(__name__)


@app.task
def record_search(query_length: int, found: int | None) -> None:
    """Log one search: its length and what it found (``None``: the search service failed).
    The query itself stays out of the queue and the log."""
    if found is None:
        logger.info("search of %d characters: the search service failed", query_length)
    else:
        logger.info("search of %d characters found %d items", query_length, found)
