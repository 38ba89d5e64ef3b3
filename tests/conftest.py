"""Registers the suite's one plugin, tests/plugin.py (servers, databases, tiers, helpers).

Import helpers from `tests.plugin`; the names below stay for modules written before it.
"""

import pytest

pytest.register_assert_rewrite("tests.plugin")

from tests.plugin import RUN, SHIPPED_DATA, TEST_DATA, admin, engine_for  # noqa: E402

pytest_plugins = ["tests.plugin"]

_RUN = RUN
_admin = admin

__all__ = ["SHIPPED_DATA", "TEST_DATA", "_RUN", "_admin", "engine_for"]
