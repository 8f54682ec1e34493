"""Models for the balance tests: created by pytest-django (the app has no migrations)."""

from typing import Any

import django
from django.db import models

# Django 5.1 renamed CheckConstraint's ``check`` to ``condition``.
NOT_NEGATIVE: dict[str, Any] = {
    "condition" if django.VERSION >= (5, 1) else "check": models.Q(credit__gte=0)
}


class Wallet(models.Model):
    """Prepaid credit per client; the positive fields refuse to go below zero in the database."""

    id = models.BigAutoField(primary_key=True)
    owner = models.CharField(max_length=64, unique=True)
    balance = models.PositiveIntegerField(default=0)
    credit = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    class Meta:
        constraints = [models.CheckConstraint(name="credit_not_negative", **NOT_NEGATIVE)]

    def __str__(self) -> str:
        return self.owner
