"""The OpenAPI 3.1 document of every JSON endpoint, served at /api/v1/openapi.json.

Built in code so limits follow the configuration (MAX_COMMENT_CHARS, ...). Tests keep it true:
every /api/ route must appear here, and Schemathesis checks every answer against it.
When you add a JSON endpoint, add its path in a ``*_paths`` helper here or in
openapi_moderation.py; openapi_parts.py holds the shared building blocks.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from .intake import MAX_LENGTH
from .limits import MAX_ID
from .openapi_moderation import moderator_paths, settings_paths
from .openapi_parts import (
    KEY_PATTERN,
    LANGUAGE_PATTERN,
    NO_NUL,
    NONBLANK,
    RETRY_AFTER,
    UNAUTHORIZED,
    UNAVAILABLE,
    Schema,
    json_body,
    optional_text,
    problem,
    ref,
)

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")


def _submission(max_chars: int) -> Schema:
    ids = {"type": ["string", "number", "null"], "maxLength": 255, "pattern": NO_NUL}
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
                "pattern": NONBLANK,
                "description": "The comment text, stored verbatim (HTML is text, not markup).",
            },
            "author_name": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_LENGTH["author_name"],
                "pattern": NONBLANK,
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
            "author_url": optional_text(
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
            "user_agent": optional_text(MAX_LENGTH["user_agent"]),
            "referrer": optional_text(MAX_LENGTH["referrer"]),
            "permalink": optional_text(MAX_LENGTH["permalink"]),
            "post_id": ids,
            "parent_id": ids,
            "external_id": {
                **ids,
                "description": "The site's own id; a second comment with it is a retry.",
            },
            "language": optional_text(
                MAX_LENGTH["language"],
                "A language tag such as fr or en-GB.",
                pattern=LANGUAGE_PATTERN,
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
                    "reasons": {"type": "array", "items": ref("Reason")},
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
                    "reasons": {"type": "array", "items": ref("Reason")},
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
                    "reasons": {"type": "array", "items": ref("Reason")},
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
                "schema": {"type": "string", "maxLength": 255, "pattern": KEY_PATTERN},
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
                "application/json": {"schema": ref("CommentSubmission")},
                "application/x-www-form-urlencoded": {"schema": ref("CommentSubmission")},
            },
        },
        "responses": {
            "201": json_body(
                "Stored; the verdict.",
                ref("Verdict"),
                headers={"Location": {"required": True, "schema": {"type": "string"}}},
                links={"GetComment": comment_link},
            ),
            "200": json_body(
                "A retry of a stored comment; the first verdict.",
                ref("Verdict"),
                links={"GetComment": comment_link},
            ),
            "400": problem("Malformed body, duplicate JSON keys or a bad Idempotency-Key."),
            "401": UNAUTHORIZED,
            "413": problem("The body is larger than MAX_CONTENT_LENGTH."),
            "415": problem("Not JSON or a urlencoded form, or not UTF-8."),
            "409": problem(
                "The same comment was already taken (`duplicate`, duplicate screening on), or a "
                "retry came while its original was still being stored (`in_progress`)."
            ),
            "422": problem("Invalid fields (listed in `errors`), invalid UTF-8, or a reused key."),
            "429": problem(
                "Too many comments too fast (flood control or site rate limit).",
                {"Retry-After": {**RETRY_AFTER["Retry-After"], "required": False}},
            ),
            "503": UNAVAILABLE,
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
            "200": json_body("The comment.", ref("CommentState")),
            "401": UNAUTHORIZED,
            "404": problem("No such comment for this site."),
            "503": UNAVAILABLE,
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
                    "200": json_body(
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
                    "200": json_body("Ready.", ref("Readiness")),
                    "503": json_body("Not ready; `problems` says why.", ref("Readiness")),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document.",
                "tags": ["meta"],
                "responses": {"200": json_body("The OpenAPI 3.1 document.", {"type": "object"})},
            }
        },
    }


def document(max_chars: int = 20_000) -> Schema:
    """Return the OpenAPI 3.1 document of every JSON endpoint."""
    paths: Schema = {}
    for part in (_intake_paths(), moderator_paths(), settings_paths(), _health_paths()):
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
