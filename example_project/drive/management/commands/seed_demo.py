"""``manage.py seed_demo``: the demo's keys, connector link and files; safe to run again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from example_project.drive.models import ApiKey, Connector, ConnectorLink, DriveItem

DEMO_KEY = "demo-key-123"
EXPIRED_KEY = "expired-key-123"
DISABLED_KEY = "disabled-key-123"
README_CONTENT = "Welcome to the api_errors example drive.\n"


class Command(BaseCommand):
    help = "Create the demo API keys, link the WPS connector and add a folder with two files."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        demo, _ = ApiKey.objects.update_or_create(
            key=DEMO_KEY, defaults={"name": "Demo key", "is_active": True, "expires_at": None}
        )
        expired, _ = ApiKey.objects.update_or_create(
            key=EXPIRED_KEY,
            defaults={"name": "Expired key", "is_active": True, "expires_at": now - timedelta(1)},
        )
        disabled, _ = ApiKey.objects.update_or_create(
            key=DISABLED_KEY, defaults={"name": "Disabled key", "is_active": False}
        )
        ConnectorLink.objects.filter(api_key__in=[demo, expired, disabled]).exclude(
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
        self.stdout.write(f"Demo API key: {DEMO_KEY}")
        self.stdout.write(
            f'Try: curl -H "Authorization: Bearer {DEMO_KEY}" <server>/api/drive/items/'
        )
