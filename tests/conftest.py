"""Test tiers: unit tests need nothing; ``pbx`` tests need a real Asterisk and ``sip`` tests
place real SIP calls through the carrier. See tests/support/targets.py for how the PBX is found."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.support.fixtures", "tests.support.store"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("sip") is not None:
            item.add_marker(pytest.mark.pbx)
