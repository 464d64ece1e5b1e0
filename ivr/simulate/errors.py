"""The simulator's errors: each names the file and, where it can, the line and the key."""

from __future__ import annotations


class SimulateError(Exception):
    """Base of the simulator's errors."""


class ScenarioError(SimulateError):
    """A scenario file cannot be read or is invalid."""


class TargetError(SimulateError):
    """The PBX or the carrier cannot be found or reached."""
