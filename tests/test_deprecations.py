"""Names renamed in 0.2 stay importable for one release, each with a DeprecationWarning."""

import warnings
from importlib import metadata

import pytest
from django.core.checks import run_checks
from django.test import override_settings

import api_errors
from api_errors import apps, exceptions, middleware
from tests.settings import MIDDLEWARE

RENAMED = [
    (api_errors, "NotFound", "ResourceNotFound"),
    (api_errors, "NotAuthenticated", "AuthenticationRequired"),
    (api_errors, "AuthenticationFailed", "InvalidCredentials"),
    (api_errors, "BadRequest", "MalformedRequest"),
    (exceptions, "NotFound", "ResourceNotFound"),
    (exceptions, "NotAuthenticated", "AuthenticationRequired"),
    (exceptions, "AuthenticationFailed", "InvalidCredentials"),
    (exceptions, "BadRequest", "MalformedRequest"),
    (middleware, "ApiErrorsMiddleware", "APIErrorsMiddleware"),
    (apps, "ApiErrorsConfig", "APIErrorsConfig"),
]


@pytest.mark.parametrize(("module", "old", "new"), RENAMED)
def test_old_name_is_the_new_object_with_a_warning(module, old, new):
    with pytest.warns(DeprecationWarning, match=rf"{module.__name__}\.{old} is deprecated.*{new}"):
        found = getattr(module, old)
    assert found is getattr(module, new)


@pytest.mark.parametrize("module", [api_errors, exceptions, middleware, apps])
def test_other_missing_names_are_still_attribute_errors(module):
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        module.Nope  # noqa: B018


def test_old_middleware_path_still_serves_and_satisfies_the_check(client):
    old_path = "api_errors.middleware.ApiErrorsMiddleware"
    with override_settings(MIDDLEWARE=[old_path, *MIDDLEWARE[1:]]):
        with pytest.warns(DeprecationWarning, match="ApiErrorsMiddleware is deprecated"):
            response = client.get("/api/plain/raise/http404/")
        # Django 5's own checks import the middleware too, and get the same warning.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            messages = run_checks()
    ids = {m.id for m in messages if (m.id or "").startswith("api_errors.")}
    assert response.status_code == 404
    assert response["X-Correlation-ID"]
    assert ids == set()


def test_version_comes_from_the_package_metadata():
    assert api_errors.__version__ == metadata.version("api-errors")
