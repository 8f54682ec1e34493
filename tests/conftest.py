import pytest
from django.test import AsyncClient, Client


@pytest.fixture
def client():
    """A test client that returns 5xx responses instead of re-raising the view's exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def async_client():
    return AsyncClient(raise_request_exception=False)
