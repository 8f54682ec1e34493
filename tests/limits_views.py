"""Views limited every way the limits package offers: DRF throttles, decorators on DRF view
methods, plain sync and async views, plain django-ratelimit, and a prepaid balance.

Every limit here admits two calls (rate "2/m", quota 2, balance charged 1 a call), so a test
sees two 200s and then the error. Plain views count per IP, DRF views per bearer user.
"""

from __future__ import annotations

import asyncio

from django.http import Http404, HttpResponse, JsonResponse
from django.urls import path
from django_ratelimit.decorators import ratelimit
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as drf
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api_errors.limits import (
    ModelBalance,
    QuotaPolicy,
    QuotaThrottle,
    RateLimitPolicy,
    RateLimitThrottle,
    charge_balance,
    enforce,
    platform_quota,
    quota,
    rate_limit,
)

# --- who is calling -----------------------------------------------------------------


class BearerUser:
    """What token auth gives DRF: an authenticated user with a primary key."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, name):
        self.pk = name
        self.username = name


class BearerAuthentication(BaseAuthentication):
    """``Authorization: Bearer <name>`` authenticates as the user ``name``."""

    def authenticate(self, request):
        scheme, _, name = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme != "Bearer" or not name:
            return None
        return BearerUser(name), name

    def authenticate_header(self, request):
        return "Bearer"


def bearer_name(request):
    """The bearer's name from the header, for plain views too (which have no DRF auth)."""
    return request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")


class WalletBalance(ModelBalance):
    """Charges ``tests.Wallet.balance`` of the wallet owned by the bearer."""

    model = "tests.Wallet"
    field = "balance"

    def owner(self, request):
        return {"owner": bearer_name(request)}


class PostgresWalletBalance(WalletBalance):
    def rows(self, request):
        return super().rows(request).using("postgres")


# --- the five kinds of limit, each on every entry point ----------------------------

ENTRIES = ("drf-throttle", "drf-decorator", "plain", "async")
KINDS = ("rate", "month", "total", "platform", "balance")
# Kinds a DRF throttle class offers (platform quotas and balances are decorators only).
THROTTLE_KINDS = ("rate", "month", "total")


def group_name(entry, kind):
    return f"lt-{entry}-{kind}"


def limit_decorator(entry, kind):
    key = "user" if entry.startswith("drf") else "ip"
    group = group_name(entry, kind)
    if kind == "rate":
        return rate_limit(group=group, key=key, rate="2/m")
    if kind == "month":
        return quota(group=group, key=key, limit=2)
    if kind == "total":
        return quota(group=group, key=key, limit=2, period="total")
    if kind == "platform":
        return enforce(platform_quota(group, 2))
    return charge_balance(1)


class LimitedAPIView(APIView):
    authentication_classes = [BearerAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = []


def throttle_class(kind):
    group = group_name("drf-throttle", kind)
    if kind == "rate":
        return type("Rate", (RateLimitThrottle,), {"group": group, "key": "user", "rate": "2/m"})
    period = "total" if kind == "total" else "month"
    attributes = {"group": group, "key": "user", "limit": 2, "period": period}
    return type(f"Quota_{period}", (QuotaThrottle,), attributes)


# What the DRF views answer when they admit a call, for their schema (contract mode).
AN_OBJECT = extend_schema(responses={200: OpenApiTypes.OBJECT})


@AN_OBJECT
def drf_ok(self, request):
    return Response({"ok": True})


def drf_throttled_view(kind):
    attributes = {"throttle_classes": [throttle_class(kind)], "get": drf_ok}
    return type(f"Throttled_{kind}", (LimitedAPIView,), attributes)


def drf_decorated_view(kind):
    @AN_OBJECT
    @limit_decorator("drf-decorator", kind)
    def get(self, request):
        return Response({"ok": True})

    return type(f"Decorated_{kind}", (LimitedAPIView,), {"get": get})


def plain_view(kind):
    @limit_decorator("plain", kind)
    def view(request):
        return JsonResponse({"ok": True})

    return view


def async_view(kind):
    @limit_decorator("async", kind)
    async def view(request):
        await asyncio.sleep(0)
        return JsonResponse({"ok": True})

    return view


def limited_patterns():
    patterns = []
    for kind in KINDS:
        if kind in THROTTLE_KINDS:
            patterns.append(
                path(f"api/limits/drf-throttle/{kind}/", drf_throttled_view(kind).as_view())
            )
        patterns += [
            path(f"api/limits/drf-decorator/{kind}/", drf_decorated_view(kind).as_view()),
            path(f"api/limits/plain/{kind}/", plain_view(kind)),
            path(f"api/limits/async/{kind}/", async_view(kind)),
        ]
    return patterns


# --- what the view does after the balance was charged -------------------------------


def outcome(name):
    """The view's own result: returned, or raised."""
    if name == "raise-500":
        raise RuntimeError("the view failed")
    if name == "raise-404":
        raise Http404("no such thing")
    if name == "raise-drf-404":
        raise drf.NotFound()
    if name == "return-500":
        return HttpResponse("failed", status=500)
    if name == "return-404":
        return JsonResponse({"found": False}, status=404)
    return JsonResponse({"ok": True})


class ChargedAPIView(LimitedAPIView):
    # outcome() may return a 404 of its own making.
    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    @charge_balance(1)
    def get(self, request, name):
        return outcome(name)


@charge_balance(1)
def charged_view(request, name):
    return outcome(name)


@charge_balance(1)
async def async_charged_view(request, name):
    await asyncio.sleep(0)
    return outcome(name)


# --- plain django-ratelimit and counters shared with it -----------------------------


@ratelimit(group="lt-ratelimit", key="ip", rate="1/m")
def ratelimit_view(request):
    return JsonResponse({"ok": True})


@ratelimit(group="lt-shared", key="ip", rate="2/m")
def shared_by_ratelimit(request):
    return JsonResponse({"ok": True})


@rate_limit(group="lt-shared", key="ip", rate="2/m")
def shared_by_policy(request):
    return JsonResponse({"ok": True})


# --- method filters, callable rates, scopes, several limits ------------------------


@rate_limit(group="lt-post-only", key="ip", rate="2/m", method="POST")
def post_only_view(request):
    return JsonResponse({"ok": True})


def plan_rate(group, request):
    """The rate of the caller's plan; ``None`` for an unlimited plan."""
    return {"gold": "4/m", "unlimited": None}.get(request.META.get("HTTP_X_PLAN"), "2/m")


@rate_limit(group="lt-plan", key="ip", rate=plan_rate)
def plan_view(request):
    return JsonResponse({"ok": True})


class ScopedUploadView(LimitedAPIView):
    throttle_classes = [RateLimitThrottle]
    throttle_scope = "uploads"

    @AN_OBJECT
    def get(self, request):
        return Response({"ok": True})


@enforce(
    RateLimitPolicy(group="lt-both-rate", key="ip", rate="3/m"),
    QuotaPolicy(group="lt-both-month", key="ip", limit=5),
)
def two_limits_view(request):
    return JsonResponse({"ok": True})


# --- timing: a fresh counter per test through a client id header -------------------


@rate_limit(group="lt-honest", key="header:x-client", rate="2/2s")
def honest_view(request):
    return JsonResponse({"ok": True})


@rate_limit(group="lt-honest-3s", key="header:x-client", rate="2/3s")
def honest_3s_view(request):
    return JsonResponse({"ok": True})


class HonestAPIView(LimitedAPIView):
    throttle_classes = [
        type(
            "HonestRate",
            (RateLimitThrottle,),
            {"group": "lt-honest-drf", "key": "header:x-client", "rate": "2/2s"},
        )
    ]

    @AN_OBJECT
    def get(self, request):
        return Response({"ok": True})


# --- quotas per plan and over fixed periods; charging around a limit ----------------


def plan_quota(group, request):
    """The calls a month of the caller's plan."""
    return {"gold": 5}.get(request.META.get("HTTP_X_PLAN"), 2)


@quota(group="lt-plan-quota", key="ip", limit=plan_quota)
def plan_quota_view(request):
    return JsonResponse({"ok": True})


@quota(group="lt-30d", key="ip", limit=2, period="30d")
def thirty_day_quota_view(request):
    return JsonResponse({"ok": True})


@charge_balance(1)
@rate_limit(group="lt-charged-then-limited", key="ip", rate="1/m")
def charged_then_limited_view(request):
    return JsonResponse({"ok": True})
