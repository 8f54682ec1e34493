"""``urllib3``: a ``PoolManager`` that sends the correlation id to allowed hosts.

``PoolManager`` follows a redirect by calling ``urlopen`` again with the same headers. When
it adds the id, it also names the header in the retries' ``remove_headers_on_redirect``, so
urllib3 drops it on a redirect to another host; the next ``urlopen`` then decides again.
"""

from __future__ import annotations

from typing import Any

from urllib3 import BaseHTTPResponse, HTTPHeaderDict, PoolManager
from urllib3.util import Retry, parse_url

from api_errors.integrations.outgoing import correlation_header


class CorrelationPoolManager(PoolManager):
    """A ``PoolManager`` that adds the correlation header for hosts on the allow-list,
    unless the request already has one."""

    # PoolManager's own signature, which already differs from its base class's.
    def urlopen(  # type: ignore[override]
        self, method: str, url: str, redirect: bool = True, **kw: Any
    ) -> BaseHTTPResponse:
        header = correlation_header(parse_url(url).host)
        if header is not None:
            given = kw.get("headers")
            headers = HTTPHeaderDict(self.headers if given is None else given)
            name, value = header
            if name not in headers:
                headers[name] = value
                # The pool's own default when the call names none, as urllib3 resolves it.
                retries = Retry.from_int(
                    kw.get("retries"),
                    redirect=redirect,
                    default=self.connection_pool_kw.get("retries"),
                )
                kw["headers"] = headers
                kw["retries"] = retries.new(
                    remove_headers_on_redirect=retries.remove_headers_on_redirect | {name.lower()}
                )
        return super().urlopen(method, url, redirect, **kw)
