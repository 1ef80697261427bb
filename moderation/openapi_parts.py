"""Building blocks of the OpenAPI document: shared patterns, references and answers."""

from __future__ import annotations

from typing import Any

PROBLEM = "application/problem+json"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$"
NO_NUL = r"^[^\x00]*$"
NONBLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"  # some visible character, no NUL
# Idempotency keys: printable ASCII (what api.submit accepts), ≤255 characters.
KEY_PATTERN = r"^[\x20-\x7e]*$"

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def problem(description: str, headers: dict[str, Any] | None = None) -> Schema:
    answer: Schema = {
        "description": description,
        "content": {PROBLEM: {"schema": ref("Problem")}},
    }
    if headers:
        answer["headers"] = headers
    return answer


def json_body(description: str, schema: Schema, **extra: Any) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "string", "pattern": r"^[0-9]+$"},
    }
}
UNAUTHORIZED = problem(
    "No valid site key was given.",
    {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
)
UNAVAILABLE = problem("The database is unreachable; retry after Retry-After seconds.", RETRY_AFTER)


def optional_text(limit: int, description: str = "", **extra: Any) -> Schema:
    schema: Schema = {"type": ["string", "null"], "maxLength": limit, "pattern": NO_NUL}
    schema.update(extra)
    if description:
        schema["description"] = description
    return schema
