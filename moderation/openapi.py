"""The OpenAPI 3.1 document of every JSON endpoint, served at /api/v1/openapi.json.

Built in code so limits follow the configuration (MAX_COMMENT_CHARS, ...). Tests keep it true:
every /api/ route must appear here, and Schemathesis checks every answer against it.
When you add a JSON endpoint, add its path to ``_paths`` (or a ``*_paths`` helper below).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from .intake import MAX_LENGTH
from .limits import MAX_ID

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")
PROBLEM = "application/problem+json"
_LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$"
_NO_NUL = r"^[^\x00]*$"
_NONBLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"  # some visible character, no NUL
# Idempotency keys: printable ASCII (what api.submit accepts), ≤255 characters.
_KEY_PATTERN = r"^[\x20-\x7e]*$"

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(description: str, headers: dict[str, Any] | None = None) -> Schema:
    answer: Schema = {
        "description": description,
        "content": {PROBLEM: {"schema": _ref("Problem")}},
    }
    if headers:
        answer["headers"] = headers
    return answer


def _json(description: str, schema: Schema, **extra: Any) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
        **extra,
    }


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "string", "pattern": r"^[0-9]+$"},
    }
}
_UNAUTHORIZED = _problem(
    "No valid site key was given.",
    {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
)
_UNAVAILABLE = _problem(
    "The database is unreachable; retry after Retry-After seconds.", _RETRY_AFTER
)


def _optional_text(limit: int, description: str = "", **extra: Any) -> Schema:
    schema: Schema = {"type": ["string", "null"], "maxLength": limit, "pattern": _NO_NUL}
    schema.update(extra)
    if description:
        schema["description"] = description
    return schema


def _submission(max_chars: int) -> Schema:
    ids = {"type": ["string", "number", "null"], "maxLength": 255, "pattern": _NO_NUL}
    return {
        "type": "object",
        "description": (
            "A comment as the site received it. Unknown fields are kept in the stored payload. "
            "WordPress comment-form names are accepted as aliases: comment (content), author "
            "(author_name), email (author_email), url (author_url), comment_post_ID (post_id), "
            "comment_parent (parent_id). Leading and trailing spaces are trimmed except in "
            "content. No field may contain a NUL character."
        ),
        "required": ["content", "author_name", "author_email"],
        "properties": {
            "content": {
                "type": "string",
                "minLength": 1,
                "maxLength": max_chars,
                "pattern": _NONBLANK,
                "description": "The comment text, stored verbatim (HTML is text, not markup).",
            },
            "author_name": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_LENGTH["author_name"],
                "pattern": _NONBLANK,
            },
            "author_email": {
                "type": "string",
                "maxLength": MAX_LENGTH["author_email"],
                "pattern": r"^[^\x00]*@[^\x00]*$",
                "description": (
                    "An email address, validated (syntax only by default) and normalised; "
                    "special-use domains (.test, .local, .invalid ...) are refused."
                ),
            },
            "author_url": _optional_text(
                MAX_LENGTH["author_url"],
                "An http(s) address with a host name; 'example.org' is read as "
                "http://example.org; other schemes (javascript:, data: ...) are refused.",
            ),
            "author_ip": {
                "anyOf": [
                    {"type": "string", "format": "ipv4"},
                    {"type": "string", "format": "ipv6"},
                    {"type": "null"},
                ],
            },
            "user_agent": _optional_text(MAX_LENGTH["user_agent"]),
            "referrer": _optional_text(MAX_LENGTH["referrer"]),
            "permalink": _optional_text(MAX_LENGTH["permalink"]),
            "post_id": ids,
            "parent_id": ids,
            "external_id": {
                **ids,
                "description": "The site's own id; a second comment with it is a retry.",
            },
            "language": _optional_text(
                MAX_LENGTH["language"],
                "A language tag such as fr or en-GB.",
                pattern=_LANGUAGE_PATTERN,
            ),
            "submitted_at": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "When the site received it; UTC when no offset is given.",
            },
        },
    }


def _components(max_chars: int) -> Schema:
    reason = {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
    }
    verdict = {"type": "string", "enum": ["pending", "approved", "spam", "rejected"]}
    score = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
    return {
        "securitySchemes": {
            "siteKey": {
                "type": "http",
                "scheme": "bearer",
                "description": "The site's API key (`flask sites create`).",
            },
            "moderatorToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "A moderator's API token (`flask moderators token`).",
            },
        },
        "schemas": {
            "CommentSubmission": _submission(max_chars),
            "Reason": reason,
            "Verdict": {
                "type": "object",
                "required": ["id", "status", "score", "reasons", "model_version"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "integer", "minimum": 1},
                    "status": verdict,
                    "score": score,
                    "reasons": {"type": "array", "items": _ref("Reason")},
                    "model_version": {"type": "string"},
                },
            },
            "CommentState": {
                "type": "object",
                "required": [
                    "id",
                    "external_id",
                    "status",
                    "score",
                    "reasons",
                    "model_version",
                    "created_at",
                    "updated_at",
                    "history",
                ],  # fmt: skip
                "properties": {
                    "id": {"type": "integer", "minimum": 1},
                    "external_id": {"type": ["string", "null"]},
                    "status": verdict,
                    "score": score,
                    "reasons": {"type": "array", "items": _ref("Reason")},
                    "model_version": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                    "history": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["from", "to", "actor", "by", "reason", "at"],
                            "properties": {
                                "from": {"type": ["string", "null"]},
                                "to": {"type": "string"},
                                "actor": {"type": "string"},
                                "by": {"type": "string"},
                                "reason": {"type": "string"},
                                "at": {"type": "string", "format": "date-time"},
                            },
                        },
                    },
                },
            },
            "Problem": {
                "type": "object",
                "description": "RFC 9457 problem details; `code` is stable, `title` localised.",
                "required": ["type", "title", "status", "code"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer", "minimum": 400, "maximum": 599},
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                    "errors": {
                        "type": "array",
                        "description": "Invalid fields ({field, code, message}) or, on a "
                        "refused decision, {comment_id, current_status, by, at}.",
                        "items": {"type": "object"},
                    },
                },
            },
            "QueueComment": {
                "type": "object",
                "required": ["id", "site_id", "status", "score", "reasons", "content", "author"],
                "properties": {
                    "id": {"type": "integer"},
                    "site_id": {"type": "integer"},
                    "status": verdict,
                    "score": score,
                    "reasons": {"type": "array", "items": _ref("Reason")},
                    "content": {"type": "string"},
                    "author": {"type": "object"},
                    "post_id": {"type": "string"},
                    "permalink": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "decided_at": {"type": ["string", "null"], "format": "date-time"},
                    "claimed_until": {"type": ["string", "null"], "format": "date-time"},
                },
            },
            "Readiness": {
                "type": "object",
                "required": ["status", "problems", "model_version"],
                "properties": {
                    "status": {"type": "string", "enum": ["ready", "not ready"]},
                    "problems": {"type": "object", "additionalProperties": {"type": "string"}},
                    "model_version": {"type": "string"},
                },
            },
        },
    }


def _intake_paths() -> Schema:
    comment_link = {
        "operationId": "showComment",
        "parameters": {"comment_id": "$response.body#/id"},
    }
    submit = {
        "operationId": "submitComment",
        "summary": "Submit a comment; answer its verdict.",
        "description": (
            "Validates, scores and stores the comment in one transaction, then answers. A retry "
            "with the same Idempotency-Key (or external_id) answers the first verdict with 200."
        ),
        "tags": ["intake"],
        "security": [{"siteKey": []}],
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 255, "pattern": _KEY_PATTERN},
            },
            *(
                {
                    "name": name,
                    "in": "header",
                    "required": False,
                    "description": "Standard Webhooks signature; required when the site "
                    "requires signed requests (docs/webhooks.md).",
                    "schema": {"type": "string"},
                }
                for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
            ),
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _ref("CommentSubmission")},
                "application/x-www-form-urlencoded": {"schema": _ref("CommentSubmission")},
            },
        },
        "responses": {
            "201": _json(
                "Stored; the verdict.",
                _ref("Verdict"),
                headers={"Location": {"required": True, "schema": {"type": "string"}}},
                links={"GetComment": comment_link},
            ),
            "200": _json(
                "A retry of a stored comment; the first verdict.",
                _ref("Verdict"),
                links={"GetComment": comment_link},
            ),
            "400": _problem("Malformed body, duplicate JSON keys or a bad Idempotency-Key."),
            "401": _UNAUTHORIZED,
            "413": _problem("The body is larger than MAX_CONTENT_LENGTH."),
            "415": _problem("Not JSON or a urlencoded form, or not UTF-8."),
            "409": _problem("The same comment was already taken (duplicate screening on)."),
            "422": _problem("Invalid fields (listed in `errors`), invalid UTF-8, or a reused key."),
            "429": _problem(
                "Too many comments too fast (flood control or site rate limit).",
                {"Retry-After": {**_RETRY_AFTER["Retry-After"], "required": False}},
            ),
            "503": _UNAVAILABLE,
        },
    }
    show = {
        "operationId": "showComment",
        "summary": "Read a comment's status, score, reasons and history.",
        "tags": ["intake"],
        "security": [{"siteKey": []}],
        "parameters": [
            {
                "name": "comment_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            }
        ],
        "responses": {
            "200": _json("The comment.", _ref("CommentState")),
            "401": _UNAUTHORIZED,
            "404": _problem("No such comment for this site."),
            "503": _UNAVAILABLE,
        },
    }
    return {"/api/v1/comments": {"post": submit}, "/api/v1/comments/{comment_id}": {"get": show}}


def _health_paths() -> Schema:
    return {
        "/healthz": {
            "get": {
                "operationId": "healthz",
                "summary": "Liveness: 200 while the process lives.",
                "tags": ["health"],
                "responses": {
                    "200": _json(
                        "Alive.",
                        {
                            "type": "object",
                            "required": ["status"],
                            "properties": {"status": {"const": "ok"}},
                        },
                    )
                },
            }
        },
        "/readyz": {
            "get": {
                "operationId": "readyz",
                "summary": "Readiness: 200 only when the database and the model are usable.",
                "tags": ["health"],
                "responses": {
                    "200": _json("Ready.", _ref("Readiness")),
                    "503": _json("Not ready; `problems` says why.", _ref("Readiness")),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "tags": ["meta"],
                "responses": {"200": _json("The OpenAPI 3.1 document.", {"type": "object"})},
            }
        },
    }


def _moderator_paths() -> Schema:
    security = [{"moderatorToken": []}]
    comment_id = {
        "name": "comment_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }
    body = {
        "type": "object",
        "required": ["action"],
        "properties": {
            "action": {"type": "string", "enum": ["approve", "spam", "reject"]},
            "reason": {"type": "string", "maxLength": 1000, "pattern": _NO_NUL},
            "expected_status": {
                "type": ["string", "null"],
                "enum": ["pending", "approved", "spam", "rejected", None],
                "description": "Refuse (409) if the comment's status changed meanwhile.",
            },
        },
    }
    bulk_body = {
        **body,
        "required": ["action", "ids"],
        "properties": {
            **body["properties"],
            "ids": {
                "type": "array",
                "minItems": 1,
                "maxItems": 200,
                "items": {"type": "integer", "minimum": -MAX_ID, "maximum": MAX_ID},
            },
        },
    }
    content = {
        "application/json": {"schema": body},
        "application/x-www-form-urlencoded": {"schema": body},
    }
    refusals = {
        "400": _problem("Malformed body."),
        "401": _UNAUTHORIZED,
        "413": _problem("The body is too large."),
        "415": _problem("Not JSON or a urlencoded form."),
        "422": _problem("Unknown action, bad field or reason too long."),
        "503": _UNAVAILABLE,
    }
    filters = [
        {"name": name, "in": "query", "required": False, "description": text,
         "schema": {"type": "string"}}
        for name, text in (
            ("status", "pending (default), approved, spam or rejected"),
            ("site", "a site id"),
            ("min_score", "0..1"),
            ("max_score", "0..1"),
            ("q", "text search"),
            ("from", "YYYY-MM-DD"),
            ("to", "YYYY-MM-DD"),
            ("order", "uncertain (default), newest, oldest, score ..."),
            ("page", "1-based page"),
            ("per_page", "1..100"),
        )
    ]  # fmt: skip
    item = _ref("QueueComment")
    return {
        "/api/v1/queue": {
            "get": {
                "operationId": "listQueue",
                "summary": "List comments with the HTML queue's filters (bad values ignored).",
                "tags": ["moderation"],
                "security": security,
                "parameters": filters,
                "responses": {
                    "200": _json(
                        "One page of the queue.",
                        {
                            "type": "object",
                            "required": ["items", "total", "page", "pages", "counts"],
                            "properties": {
                                "items": {"type": "array", "items": item},
                                "total": {"type": "integer", "minimum": 0},
                                "page": {"type": "integer", "minimum": 1},
                                "pages": {"type": "integer", "minimum": 0},
                                "counts": {
                                    "type": "object",
                                    "additionalProperties": {"type": "integer"},
                                },
                            },
                        },
                    ),
                    "401": _UNAUTHORIZED,
                    "503": _UNAVAILABLE,
                },
            }
        },
        "/api/v1/comments/{comment_id}/decision": {
            "post": {
                "operationId": "decideComment",
                "summary": "Approve, spam or reject one comment.",
                "tags": ["moderation"],
                "security": security,
                "parameters": [comment_id],
                "requestBody": {"required": True, "content": content},
                "responses": {
                    "200": _json("The comment after the decision.", item),
                    **refusals,
                    "404": _problem("No such comment among this moderator's sites."),
                    "409": _problem("Claimed by someone else, or changed since (see errors)."),
                },
            }
        },
        "/api/v1/decisions": {
            "post": {
                "operationId": "decideMany",
                "summary": "Decide several comments; each gets its own status in results.",
                "tags": ["moderation"],
                "security": security,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": bulk_body}},
                },
                "responses": {
                    "200": _json(
                        "One result per id.",
                        {
                            "type": "object",
                            "required": ["results", "decided"],
                            "properties": {
                                "results": {"type": "array", "items": {"type": "object"}},
                                "decided": {"type": "integer", "minimum": 0},
                            },
                        },
                    ),
                    **refusals,
                    "404": _problem("No such comment."),
                    "409": _problem("A comment changed meanwhile."),
                },
            }
        },
        "/api/v1/undo": {
            "post": {
                "operationId": "undoLastDecision",
                "summary": "Undo the token owner's last decision.",
                "tags": ["moderation"],
                "security": security,
                "responses": {
                    "200": _json("The comment after the undo.", item),
                    "400": _problem("Nothing to undo."),
                    "401": _UNAUTHORIZED,
                    "404": _problem("Nothing to undo."),
                    "409": _problem("The comment changed since; the undo is refused."),
                    "422": _problem("Nothing to undo."),
                    "503": _UNAVAILABLE,
                },
            }
        },
    }


def _settings_paths() -> Schema:
    name = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
    common = {
        "401": _UNAUTHORIZED,
        "403": _problem("Admins only."),
        "404": _problem("No such site."),
        "503": _UNAVAILABLE,
    }
    settings = {"type": "object", "description": "docs/rules.md lists every key."}
    base = {"tags": ["moderation"], "security": [{"moderatorToken": []}], "parameters": [name]}
    return {
        "/api/v1/sites/{name}/settings": {
            "get": {
                **base,
                "operationId": "showSiteSettings",
                "responses": {"200": _json("The settings, defaults included.", settings), **common},
            },
            "put": {
                **base,
                "operationId": "replaceSiteSettings",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": settings}},
                },
                "responses": {
                    "200": _json("The settings saved.", settings),
                    "400": _problem("Malformed body."),
                    "413": _problem("The body is too large."),
                    "415": _problem("Not JSON."),
                    "422": _problem("Invalid settings; nothing saved."),
                    **common,
                },
            },
        },
        "/api/v1/sites/{name}/rule-stats": {
            "get": {
                **base,
                "operationId": "ruleStats",
                "responses": {
                    "200": _json("Per-rule statistics.", {"type": "array", "items": {}}),
                    **common,
                },
            }
        },
    }


def document(max_chars: int = 20_000) -> Schema:
    """Return the OpenAPI 3.1 document of every JSON endpoint."""
    paths: Schema = {}
    for part in (_intake_paths(), _moderator_paths(), _settings_paths(), _health_paths()):
        paths.update(part)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Palabre",
            "version": "1",
            "description": "Self-hosted comment moderation with spam filtering.",
        },
        "paths": paths,
        "components": _components(max_chars),
    }


@bp.get("/openapi.json")
def serve() -> Response:
    """Serve the OpenAPI document."""
    return jsonify(document(current_app.config["MAX_COMMENT_CHARS"]))
