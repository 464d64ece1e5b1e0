"""The fault tier uses the real-PBX fixtures of tests/pbx (same PBX and carrier per run)."""

from __future__ import annotations

from tests.pbx.conftest import (
    carrier,
    carrier_ami,
    pbx_ami,
    pbx_pair,
    pbx_target,
    service_config,
)

__all__ = ["carrier", "carrier_ami", "pbx_ami", "pbx_pair", "pbx_target", "service_config"]
