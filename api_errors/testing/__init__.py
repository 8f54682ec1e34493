"""Test helpers for projects that use api_errors: ``assert_api_error``, and a pytest plugin
(``api_errors.testing.plugin``) with fixtures and a contract mode."""

from __future__ import annotations

from api_errors.testing.assertions import assert_api_error

__all__ = ["assert_api_error"]
