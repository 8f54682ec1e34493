"""The pytest plugin (entry point ``pytest11``): fixtures, the ``api_errors_contract``
marker and ``--api-errors-contract``.

Loading it imports no Django models and reads no settings, so it is harmless in a pytest
run without Django; contract mode needs Django and the ``testing`` extra.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Generator
from typing import Any

import pytest

from api_errors.testing import clients
from api_errors.testing.contract import ContractChecker
from api_errors.testing.fixtures import api_errors_catalog, api_errors_settings
from api_errors.testing.schemas import INSTALL_HINT

__all__ = ["api_errors_catalog", "api_errors_settings"]

OPTION = "--api-errors-contract"
MARKER = "api_errors_contract"
MARKER_HELP = (
    f"{MARKER}(False): do not check this test's responses against the OpenAPI schema in "
    "contract mode (for a test that receives an undocumented response on purpose)"
)
# What contract mode imports, by module name.
CONTRACT_NEEDS = ("drf_spectacular", "jsonschema")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("api_errors")
    group.addoption(
        OPTION,
        action="store_true",
        default=False,
        help="fail a test when a response its test client receives from an operation of the "
        "generated OpenAPI schema is not one that operation documents",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    if not config.getoption(OPTION):
        return
    missing = [name for name in CONTRACT_NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        raise pytest.UsageError(f"{OPTION} needs {', '.join(missing)}: {INSTALL_HINT}")
    run = ContractRun(ContractChecker())
    config.pluginmanager.register(run, "api_errors_contract_run")
    clients.listen(run.observe)
    config.add_cleanup(lambda: clients.stop_listening(run.observe))


def checks_contract(item: pytest.Item) -> bool:
    """False for a test marked ``api_errors_contract(False)``."""
    marker = item.get_closest_marker(MARKER)
    if marker is None:
        return True
    if len(marker.args) != 1 or not isinstance(marker.args[0], bool) or marker.kwargs:
        pytest.fail(f"{item.nodeid}: write @pytest.mark.{MARKER}(False)", pytrace=False)
    return bool(marker.args[0])


# Whether contract mode checks a test, decided once in its setup from its marker.
CHECKED = pytest.StashKey[bool]()


class ContractRun:
    """Collects the contract violations of the test phase running, and fails that phase.

    A violation is kept rather than raised where the response arrives, so neither a
    ``pytest.raises`` nor a helper that catches exceptions can hide it.
    """

    def __init__(self, checker: ContractChecker) -> None:
        self.checker = checker
        self.item: pytest.Item | None = None
        self.found: list[str] = []

    def observe(self, response: Any) -> None:
        if self.item is None:
            return  # not inside a checked test (collection, an opted-out test)
        message = self.checker.check(response)
        if message is not None:
            self.found.append(message)

    def watch(self, item: pytest.Item, phase: str) -> Generator[None, Any, Any]:
        self.item = item if item.stash.get(CHECKED, False) else None
        self.found = []
        try:
            outcome = yield
        except BaseException:
            # The phase failed anyway: its own error stays, the violations are shown too.
            if self.found:
                item.add_report_section(phase, "api_errors contract", self.report())
            raise
        finally:
            self.item = None
        if self.found:
            pytest.fail(self.report(), pytrace=False)
        return outcome

    def report(self) -> str:
        count = len(self.found)
        heading = f"{count} response{'s' if count > 1 else ''} broke the OpenAPI contract"
        return "\n\n".join([heading + f" ({OPTION}):", *self.found])

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, Any, Any]:
        item.stash[CHECKED] = checks_contract(item)
        return (yield from self.watch(item, "setup"))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, Any]:
        return (yield from self.watch(item, "call"))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, Any, Any]:
        return (yield from self.watch(item, "teardown"))
