"""``manage.py seed_demo``: the demo's keys, connector link and files; safe to run again.

Running it again also restores the demo keys' plans: balances refilled, this month's
search quota given back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from api_errors.limits import QuotaPolicy
from example_project.drive.billing import SEARCH_QUOTA_GROUP
from example_project.drive.models import (
    DEFAULT_MONTHLY_QUOTA,
    DEFAULT_RATE,
    ApiKey,
    Connector,
    ConnectorLink,
    DriveItem,
)

DEMO_KEY = "demo-key-123"
LOW_BALANCE_KEY = "low-balance-key-123"
SMALL_QUOTA_KEY = "small-quota-key-123"
EXPIRED_KEY = "expired-key-123"
DISABLED_KEY = "disabled-key-123"
README_CONTENT = "Welcome to the api_errors example drive.\n"


@dataclass(frozen=True)
class Plan:
    rate: str = DEFAULT_RATE
    monthly_quota: int = DEFAULT_MONTHLY_QUOTA
    balance: int = 100


# Each key's plan, and what it shows on the paid search endpoint.
PLANS = {
    DEMO_KEY: ("Demo key", Plan(), "429 on the 6th search within 10 s"),
    LOW_BALANCE_KEY: ("Low balance key", Plan(balance=0), "402 on the first search"),
    SMALL_QUOTA_KEY: ("Small quota key", Plan(monthly_quota=3), "403 on the 4th search"),
}


class Command(BaseCommand):
    help = "Create the demo API keys and their plans, link the WPS connector, add two files."

    def handle(self, *args: Any, **options: Any) -> None:
        keys = self.seed()
        self.reset_monthly_usage(keys)
        self.stdout.write("Demo API keys (rate, monthly search quota, balance):")
        for key in keys:
            _name, plan, shows = PLANS[key.key]
            self.stdout.write(
                f"  {key.key:<20} {plan.rate:>6} {plan.monthly_quota:>5}/month "
                f"{plan.balance:>4} credits  {shows}"
            )
        self.stdout.write(f"  {EXPIRED_KEY:<20} expired: 401")
        self.stdout.write(f"  {DISABLED_KEY:<20} disabled: 401")
        self.stdout.write(f"Demo API key: {DEMO_KEY}")
        self.stdout.write(
            f'Try: curl -H "Authorization: Bearer {DEMO_KEY}" <server>/api/drive/items/'
        )

    @transaction.atomic
    def seed(self) -> list[ApiKey]:
        now = timezone.now()
        keys = [
            ApiKey.objects.update_or_create(
                key=key,
                defaults={
                    "name": name,
                    "is_active": True,
                    "expires_at": None,
                    "rate": plan.rate,
                    "monthly_quota": plan.monthly_quota,
                    "balance": plan.balance,
                },
            )[0]
            for key, (name, plan, _shows) in PLANS.items()
        ]
        expired, _ = ApiKey.objects.update_or_create(
            key=EXPIRED_KEY,
            defaults={"name": "Expired key", "is_active": True, "expires_at": now - timedelta(1)},
        )
        disabled, _ = ApiKey.objects.update_or_create(
            key=DISABLED_KEY, defaults={"name": "Disabled key", "is_active": False}
        )
        demo = keys[0]
        ConnectorLink.objects.filter(api_key__in=[*keys, expired, disabled]).exclude(
            api_key=demo, connector=Connector.WPS
        ).delete()
        ConnectorLink.objects.get_or_create(api_key=demo, connector=Connector.WPS)

        folder, _ = DriveItem.objects.update_or_create(
            parent=None, name="Documents", defaults={"kind": DriveItem.Kind.FOLDER, "content": ""}
        )
        DriveItem.objects.update_or_create(
            parent=folder,
            name="readme.txt",
            defaults={
                "kind": DriveItem.Kind.FILE,
                "state": DriveItem.State.READY,
                "content": README_CONTENT,
            },
        )
        DriveItem.objects.update_or_create(
            parent=folder,
            name="video.mp4",
            defaults={"kind": DriveItem.Kind.FILE, "state": DriveItem.State.PROCESSING},
        )
        return keys

    def reset_monthly_usage(self, keys: list[ApiKey]) -> None:
        """Give the keys their month's quota back. Counts in local memory die with the server;
        these matter when the counters live in Redis (``REDIS_URL``, ``make serve``)."""
        policy = QuotaPolicy(group=SEARCH_QUOTA_GROUP, key="user")
        try:
            for key in keys:
                # The search view's quota counts a key by its pk ("user"), per calendar month.
                policy.reset(str(key.pk))
        except Exception as exc:  # the cache may be down; the database is seeded all the same
            self.stderr.write(f"Could not reset this month's search quotas: {exc}")
