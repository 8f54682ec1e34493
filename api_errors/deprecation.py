"""Old public names kept importable for one release, with a ``DeprecationWarning``."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any


def renamed(
    module: str, names: Mapping[str, str], namespace: Mapping[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` answering each old name in ``names`` with its new object."""

    def __getattr__(name: str) -> Any:
        new_name = names.get(name)
        if new_name is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(
            f"{module}.{name} is deprecated and will be removed in the next release; "
            f"use {module}.{new_name}.",
            DeprecationWarning,
            stacklevel=2,
        )
        return namespace[new_name]

    return __getattr__
