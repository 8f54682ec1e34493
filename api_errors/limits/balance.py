"""Prepaid balances: charge per call with one conditional UPDATE, refund on server errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import F

from api_errors.conf import get_settings, resolve, subclass_of

Amount = int | Decimal


def charge(queryset: models.QuerySet[Any], field: str, amount: Amount) -> bool:
    """Take ``amount`` from ``field`` of the rows in ``queryset`` that hold enough of it.

    One ``UPDATE ... SET field = field - amount WHERE field >= amount``: concurrent charges
    neither lose an update nor take a balance below zero. True when a row was charged.
    """
    charged = queryset.filter(**{f"{field}__gte": amount}).update(**{field: F(field) - amount})
    return charged > 0


def refund(queryset: models.QuerySet[Any], field: str, amount: Amount) -> None:
    queryset.update(**{field: F(field) + amount})


class BalanceHook:
    """How a project charges a request; name a subclass in ``API_ERRORS["BALANCE_HOOK"]``."""

    def charge(self, request: Any, cost: Amount) -> bool:
        """Charge ``cost`` for ``request``; False when the balance does not cover it."""
        raise NotImplementedError

    def refund(self, request: Any, cost: Amount) -> None:
        """Give ``cost`` back after a server error: clients do not pay for failures."""


class ModelBalance(BalanceHook):
    """A balance stored in a model field: set ``model`` ("app_label.Model"), ``field`` and
    ``owner(request)``, the lookup of the row to charge."""

    model: str = ""
    field: str = "balance"

    def owner(self, request: Any) -> dict[str, Any]:
        raise NotImplementedError

    def rows(self, request: Any) -> models.QuerySet[Any]:
        manager: models.Manager[Any] = apps.get_model(self.model)._default_manager
        return manager.filter(**self.owner(request))

    def charge(self, request: Any, cost: Amount) -> bool:
        return charge(self.rows(request), self.field, cost)

    def refund(self, request: Any, cost: Amount) -> None:
        refund(self.rows(request), self.field, cost)


def resolve_balance_hook(value: Any) -> type[BalanceHook]:
    """The ``BalanceHook`` subclass ``API_ERRORS["BALANCE_HOOK"]`` names."""
    hook: type[BalanceHook] = resolve(
        "BALANCE_HOOK",
        value,
        accept=subclass_of(BalanceHook),
        expected="a BalanceHook subclass",
    )
    return hook


def balance_hook() -> BalanceHook:
    hook = get_settings().BALANCE_HOOK
    if hook is None:
        raise LookupError("API_ERRORS['BALANCE_HOOK'] is not set")
    return resolve_balance_hook(hook)()
