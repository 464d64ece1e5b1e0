"""The OpenAPI 3.1 description, generated from the route table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ivr.web.routes import Route

_ERROR = {"$ref": "#/components/schemas/Error"}


def build_spec(routes: Iterable[Route]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ivr consent interceptor", "version": "1"},
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["status", "error_id"],
                    "properties": {
                        "status": {"type": "integer"},
                        "error_id": {"type": "string"},
                        "message": {"type": "string"},
                        "details": {"type": "object"},
                    },
                }
            },
        },
    }


def _operation(route: Route) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK"}}
    responses |= {code: {"description": text} for code, text in route.responses.items()}
    operation: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "parameters": list(route.parameters),
    }
    if route.roles:
        operation["security"] = [{"bearer": []}]
        operation["x-roles"] = sorted(route.roles)
        responses["401"] = {"description": "no valid token", "content": _json(_ERROR)}
        responses["429"] = {"description": "too many refusals", "content": _json(_ERROR)}
        responses["403"] = {"description": "role not allowed", "content": _json(_ERROR)}
    else:
        operation["security"] = []
    if route.parameters or route.body is not None:
        responses.setdefault("400", {"description": "a parameter or the body is not valid"})
        responses["400"]["content"] = _json(_ERROR)
    if route.body is not None:
        properties = {name: {"type": kind} for name, kind in route.body.items()}
        schema = {"type": "object", "properties": properties, "required": list(route.body)}
        operation["requestBody"] = {"required": True, "content": _json(schema)}
    operation["responses"] = responses
    return operation


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}
