"""What a paid call costs and what it is counted against: credits from the API key's
``balance``, and the rate and monthly quota counters named here."""

from __future__ import annotations

from typing import Any

from api_errors.limits import ModelBalance

# The paid search's counters, per API key; the names show in the RateLimit fields.
SEARCH_RATE_GROUP = "search"
SEARCH_QUOTA_GROUP = "search-monthly"
SEARCH_COST = 1


class ApiKeyBalance(ModelBalance):
    """``API_ERRORS["BALANCE_HOOK"]``: one conditional UPDATE on the caller's ``ApiKey`` row."""

    model = "drive.ApiKey"
    field = "balance"

    def owner(self, request: Any) -> dict[str, Any]:
        # The authenticated API key is the request's user (see authentication.py).
        return {"pk": request.user.pk}
