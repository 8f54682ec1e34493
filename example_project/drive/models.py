"""API keys (the callers), the connectors linked to them, and the drive's folders and files."""

from __future__ import annotations

from datetime import datetime

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

# django-ratelimit's rate syntax: calls per period, as in "5/10s", "100/m" or "1000/d".
RATE_PATTERN = r"^\d+/([1-9]\d*)?[smhd]$"
DEFAULT_RATE = "5/10s"
DEFAULT_MONTHLY_QUOTA = 1000


class Connector(models.TextChoices):
    WPS = "wps", "WPS"
    LARK = "lark", "Lark"


class ApiKey(models.Model):
    """A caller of the API. The demo stores keys in clear; a real service stores a hash."""

    key = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The key's plan: how fast, how much a month, and the credits paid endpoints draw on.
    rate = models.CharField(
        max_length=32,
        default=DEFAULT_RATE,
        validators=[RegexValidator(RATE_PATTERN, "Use calls/period, such as 5/10s or 100/m.")],
        help_text="Calls per window on paid endpoints, such as 5/10s; blank for no limit.",
        blank=True,
    )
    monthly_quota = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=DEFAULT_MONTHLY_QUOTA,
        help_text="Calls per calendar month (UTC) on paid endpoints; empty for no quota.",
    )
    balance = models.PositiveIntegerField(
        default=0, help_text="Prepaid credits; each paid call costs one."
    )

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return self.name

    # The key is the request's user, so DRF's IsAuthenticated asks it these.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def has_connector(self, connector: str) -> bool:
        return self.connector_links.filter(connector=connector).exists()


class ConnectorLink(models.Model):
    """A third-party connector the owner of an API key has authorized."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="connector_links")
    connector = models.CharField(max_length=16, choices=Connector.choices)
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "connector"], name="unique_connector_link")
        ]

    def __str__(self) -> str:
        return f"{self.api_key} -> {self.connector}"


class DriveItem(models.Model):
    """A folder or a file; names are unique within a folder (and at the root)."""

    class Kind(models.TextChoices):
        FOLDER = "folder", "Folder"
        FILE = "file", "File"

    class State(models.TextChoices):
        READY = "ready", "Ready"
        PROCESSING = "processing", "Processing"

    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.READY)
    content = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_name_in_folder"),
            # NULL parents never collide in SQL, so the root needs its own constraint.
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="unique_name_at_root"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_folder(self) -> bool:
        return self.kind == self.Kind.FOLDER
