"""Views that call an upstream with each client library while serving a request.

``?url=`` is where to call; ``?explicit=`` sends that value as the correlation header itself.
"""

from __future__ import annotations

from django.http import JsonResponse

from api_errors.conf import get_settings
from api_errors.integrations.outgoing_httpx import correlated_async_client, correlated_client
from api_errors.integrations.outgoing_requests import correlated_session
from api_errors.integrations.outgoing_urllib3 import CorrelationPoolManager


def _call(request):
    url = request.GET["url"]
    explicit = request.GET.get("explicit")
    headers = {get_settings().CORRELATION_ID_HEADER: explicit} if explicit else {}
    return url, headers


def with_requests(request):
    url, headers = _call(request)
    with correlated_session() as session:
        status = session.get(url, headers=headers, timeout=5).status_code
    return JsonResponse({"status": status})


def with_httpx(request):
    url, headers = _call(request)
    with correlated_client(timeout=5, follow_redirects=True) as client:
        status = client.get(url, headers=headers).status_code
    return JsonResponse({"status": status})


def with_urllib3(request):
    url, headers = _call(request)
    with CorrelationPoolManager(timeout=5) as pool:
        status = pool.request("GET", url, headers=headers).status
    return JsonResponse({"status": status})


async def with_httpx_async(request):
    url, headers = _call(request)
    async with correlated_async_client(timeout=5, follow_redirects=True) as client:
        status = (await client.get(url, headers=headers)).status_code
    return JsonResponse({"status": status})
