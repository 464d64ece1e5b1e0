"""Where the dashboard lives; imported by the bearer-token middleware, so it imports nothing."""

PREFIX = "/dashboard"


def is_dashboard(path: str) -> bool:
    """Dashboard paths answer to session cookies (checked by the dashboard), not bearer tokens."""
    return path == PREFIX or path.startswith(PREFIX + "/")
