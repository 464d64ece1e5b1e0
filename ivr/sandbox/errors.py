"""Errors of the sandbox, each naming what is missing and what to do instead."""

DOCKER_HINT = "or use the Docker stack instead: docker compose -f docker/compose.yaml up"


class SandboxError(Exception):
    """The sandbox cannot do what was asked; the message says why and what to do."""
