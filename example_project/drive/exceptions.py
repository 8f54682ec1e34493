"""The example's own error: a typed exception of api_errors, answered from the catalog."""

from __future__ import annotations

import api_errors


class SearchFailed(api_errors.UpstreamFailure):
    """The search service did not answer: 68300005 (status style) or INTERNAL_ERROR, HTTP 502."""
