"""The package's layering: every import points down, and only the styles know a style's name.

Every import counts: at module level, inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "api_errors"

# Bottom to top: a module may import only modules listed before it. A new module must be
# placed here, which is the question worth asking when adding one.
LAYERS = [
    # settings and leaf helpers
    "api_errors.conf",
    "api_errors.deprecation",
    "api_errors.http_values",
    "api_errors.correlation",
    # the catalog: its types, the presets, the loader
    "api_errors.catalog.types",
    "api_errors.catalog.presets.platform",
    "api_errors.catalog.presets.drive",
    "api_errors.catalog.presets",
    "api_errors.catalog.loader",
    "api_errors.catalog",
    # what views raise and declare
    "api_errors.exceptions",
    "api_errors.declarations",
    "api_errors.validation",
    "api_errors.field_paths",
    "api_errors.client_input",
    "api_errors.locations",
    # envelope styles, and what the settings select
    "api_errors.styles.base",
    "api_errors.styles.status",
    "api_errors.styles.success",
    "api_errors.styles.problem",
    "api_errors.styles",
    "api_errors.active",
    # what integrations hook into (each integration is reached only through the settings)
    "api_errors.integrations",
    "api_errors.integrations.base",
    "api_errors.integrations.hosts",
    # integrations: each one's own module, reached only through the settings
    "api_errors.integrations.outgoing",
    "api_errors.integrations.outgoing_requests",
    "api_errors.integrations.outgoing_httpx",
    "api_errors.integrations.outgoing_urllib3",
    "api_errors.integrations.structlog",
    "api_errors.integrations.celery",
    "api_errors.integrations.opentelemetry",
    "api_errors.integrations.sentry",
    # the one path from exception to response
    "api_errors.conversion",
    "api_errors.reporting",
    "api_errors.responses",
    "api_errors.pipeline",
    # features
    "api_errors.limits.counters",
    "api_errors.limits.algorithms",
    "api_errors.limits.headers",
    "api_errors.limits.store",
    "api_errors.limits.leases",
    "api_errors.limits.async_store",
    "api_errors.limits.policies",
    "api_errors.limits.concurrency",
    "api_errors.limits.throttling",
    "api_errors.limits.balance",
    "api_errors.limits.decorators",
    "api_errors.limits.inventory",
    "api_errors.limits.terms",
    "api_errors.limits",
    "api_errors.renderers",
    "api_errors.openapi",
    "api_errors.templatetags",
    "api_errors.templatetags.api_errors_docs",
    "api_errors.documentation.model",
    "api_errors.documentation.templates",
    "api_errors.documentation.guidance",
    "api_errors.documentation.describe",
    "api_errors.documentation.renderers",
    "api_errors.documentation.clients.naming",
    "api_errors.documentation.clients.text",
    "api_errors.documentation.clients.schema",
    "api_errors.documentation.clients.model",
    "api_errors.documentation.clients.typescript",
    "api_errors.documentation.clients.python",
    "api_errors.documentation.clients",
    "api_errors.documentation.exports",
    "api_errors.documentation",
    "api_errors.lock.snapshot",
    "api_errors.lock.changes",
    "api_errors.lock.storage",
    "api_errors.lock",
    "api_errors.checks.base",
    "api_errors.checks.settings",
    "api_errors.checks.catalog",
    "api_errors.checks.installation",
    "api_errors.checks.limits",
    "api_errors.checks.lock",
    "api_errors.checks",
    "api_errors.management",
    "api_errors.management.commands",
    "api_errors.management.commands.api_errors_catalog",
    # entry points
    "api_errors.middleware",
    "api_errors.handlers",
    "api_errors.views",
    "api_errors.urls",
    "api_errors.docs_views",
    "api_errors.docs_urls",
    "api_errors.apps",
    "api_errors",
    # test helpers for projects that use the app, and the pytest plugin
    "api_errors.testing.schemas",
    "api_errors.testing.report",
    "api_errors.testing.assertions",
    "api_errors.testing.clients",
    "api_errors.testing.contract",
    "api_errors.testing.fixtures",
    "api_errors.testing.plugin",
    "api_errors.testing",
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str) -> set[str]:
    """The package's modules ``name`` imports, wherever the import statement stands."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from package import submodule" imports the submodule.
            targets = [
                f"{node.module}.{alias.name}"
                if f"{node.module}.{alias.name}" in MODULES
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found |= {target for target in targets if target in MODULES and target != name}
    return found


GRAPH = {name: imported_modules(name) for name in MODULES}


def test_every_module_has_a_place_in_the_layers():
    assert sorted(MODULES) == sorted(LAYERS)
    assert len(LAYERS) == len(set(LAYERS))


@pytest.mark.parametrize("name", LAYERS)
def test_imports_only_point_down(name):
    position = LAYERS.index(name)
    upward = sorted(target for target in GRAPH[name] if LAYERS.index(target) > position)
    assert upward == [], f"{name} imports modules above it"


def test_there_is_no_import_cycle():
    """Redundant with the layer order, but says which modules form the cycle."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        assert name not in visiting, " -> ".join([*visiting[visiting.index(name) :], name])
        visiting.append(name)
        for target in sorted(GRAPH[name]):
            visit(target)
        visiting.pop()
        done.add(name)

    for name in sorted(GRAPH):
        visit(name)


def test_conf_imports_nothing_of_the_package():
    assert GRAPH["api_errors.conf"] == set()


STYLE_NAMES = {"status", "success", "problem"}


def reads_style_setting(node: ast.AST) -> bool:
    """Whether ``node`` uses the value of the STYLE setting (``conf.STYLE``)."""
    return any(
        isinstance(inner, ast.Attribute) and inner.attr == "STYLE" for inner in ast.walk(node)
    )


def style_name_comparisons(tree: ast.AST) -> list[str]:
    """Comparisons with a shipped style's name, and lookups keyed by the STYLE setting."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            names = {
                operand.value
                for operand in operands
                if isinstance(operand, ast.Constant) and operand.value in STYLE_NAMES
            }
            if names or any(reads_style_setting(operand) for operand in operands):
                found.append(ast.unparse(node))
        elif (isinstance(node, ast.Subscript) and reads_style_setting(node.slice)) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and reads_style_setting(node.args[0])
        ):
            found.append(ast.unparse(node))
    return found


@pytest.mark.parametrize(
    "name", [name for name in LAYERS if not name.startswith("api_errors.styles")]
)
def test_only_the_styles_know_a_styles_name(name):
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    assert style_name_comparisons(tree) == []


def test_the_style_name_detector_finds_what_it_looks_for():
    tree = ast.parse(
        "a = conf.STYLE == 'status'\nb = TABLE[conf.STYLE]\nc = TABLE.get(conf.STYLE, 1)\n"
        "d = style.name != 'problem'\ne = merged['STYLE']\nf = style.name == other\n"
    )
    assert style_name_comparisons(tree) == [
        "conf.STYLE == 'status'",
        "TABLE[conf.STYLE]",
        "TABLE.get(conf.STYLE, 1)",
        "style.name != 'problem'",
    ]
