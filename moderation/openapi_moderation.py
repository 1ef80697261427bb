"""OpenAPI paths of the moderators' JSON API and the site settings API."""

from __future__ import annotations

from .limits import MAX_ID
from .openapi_parts import (
    NO_NUL,
    UNAUTHORIZED,
    UNAVAILABLE,
    Schema,
    json_body,
    problem,
    ref,
)


def moderator_paths() -> Schema:
    """Return the paths of the moderators' API: queue, decisions, bulk decisions, undo."""
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
            "reason": {"type": "string", "maxLength": 1000, "pattern": NO_NUL},
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
        "400": problem("Malformed body."),
        "401": UNAUTHORIZED,
        "413": problem("The body is too large."),
        "415": problem("Not JSON or a urlencoded form."),
        "422": problem("Unknown action, bad field or reason too long."),
        "503": UNAVAILABLE,
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
    item = ref("QueueComment")
    return {
        "/api/v1/queue": {
            "get": {
                "operationId": "listQueue",
                "summary": "List comments with the HTML queue's filters (bad values ignored).",
                "tags": ["moderation"],
                "security": security,
                "parameters": filters,
                "responses": {
                    "200": json_body(
                        "One page of the queue.",
                        {
                            "type": "object",
                            "required": [
                                "items",
                                "total",
                                "page",
                                "pages",
                                "counts",
                                "counts_capped",
                            ],
                            "properties": {
                                "items": {"type": "array", "items": item},
                                "total": {"type": "integer", "minimum": 0},
                                "page": {"type": "integer", "minimum": 1},
                                "pages": {"type": "integer", "minimum": 0},
                                "counts": {
                                    "type": "object",
                                    "additionalProperties": {"type": "integer"},
                                    "description": "Comments per status, counted up to 1,000.",
                                },
                                "counts_capped": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "description": "Statuses with more than 1,000 comments: "
                                    "their count (and `total`) is 1,000, and `pages` stops "
                                    "at the page holding the 1,000th.",
                                },
                            },
                        },
                    ),
                    "401": UNAUTHORIZED,
                    "503": UNAVAILABLE,
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
                    "200": json_body("The comment after the decision.", item),
                    **refusals,
                    "404": problem("No such comment among this moderator's sites."),
                    "409": problem("Claimed by someone else, or changed since (see errors)."),
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
                    "200": json_body(
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
                    "404": problem("No such comment."),
                    "409": problem("A comment changed meanwhile."),
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
                    "200": json_body("The comment after the undo.", item),
                    "400": problem("Nothing to undo."),
                    "401": UNAUTHORIZED,
                    "404": problem("Nothing to undo."),
                    "409": problem("The comment changed since; the undo is refused."),
                    "422": problem("Nothing to undo."),
                    "503": UNAVAILABLE,
                },
            }
        },
    }


def settings_paths() -> Schema:
    """Return the paths of the admins' site settings API."""
    name = {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
    common = {
        "401": UNAUTHORIZED,
        "403": problem("Admins only."),
        "404": problem("No such site."),
        "503": UNAVAILABLE,
    }
    settings = {"type": "object", "description": "docs/rules.md lists every key."}
    base = {"tags": ["moderation"], "security": [{"moderatorToken": []}], "parameters": [name]}
    return {
        "/api/v1/sites/{name}/settings": {
            "get": {
                **base,
                "operationId": "showSiteSettings",
                "responses": {
                    "200": json_body("The settings, defaults included.", settings),
                    **common,
                },
            },
            "put": {
                **base,
                "operationId": "replaceSiteSettings",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": settings}},
                },
                "responses": {
                    "200": json_body("The settings saved.", settings),
                    "400": problem("Malformed body."),
                    "413": problem("The body is too large."),
                    "415": problem("Not JSON."),
                    "422": problem("Invalid settings; nothing saved."),
                    **common,
                },
            },
        },
        "/api/v1/sites/{name}/rule-stats": {
            "get": {
                **base,
                "operationId": "ruleStats",
                "responses": {
                    "200": json_body("Per-rule statistics.", {"type": "array", "items": {}}),
                    **common,
                },
            }
        },
    }
