"""Suite-wide set-up.

``SFNKIT_TEST_TODAY=2090-06-15`` runs the whole suite with the clock moved to that day (``make test-any-day``
does it for two days): the answers must not depend on when the suite runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    today = os.environ.get("SFNKIT_TEST_TODAY")
    if not today:
        return
    import time_machine

    moved = datetime.fromisoformat(today)
    if moved.tzinfo is None:
        moved = moved.replace(tzinfo=UTC)
    traveller = time_machine.travel(moved, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


@pytest.fixture
def isolated_imports(tmp_path: Path) -> Iterator[None]:
    """Undo what a test's imports of user modules from *tmp_path* leave behind: sys.path entries and the modules
    (a tutorial's ``dragons.py`` must not stand in for ``examples/dragons.py`` in a later test). Libraries the
    test happened to import first stay loaded: others hold their classes."""
    path, modules = list(sys.path), dict(sys.modules)
    yield
    sys.path[:] = path
    for name, module in list(sys.modules.items()):
        if name not in modules and Path(getattr(module, "__file__", None) or "/").is_relative_to(tmp_path):
            del sys.modules[name]
    sys.modules.update(modules)
