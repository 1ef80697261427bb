"""Client-facing error messages, in English and French, by stable code."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("This field is required.", "Ce champ est obligatoire."),
    "blank": ("This field cannot be blank.", "Ce champ ne peut pas être vide."),
    "type": ("This field must be a string.", "Ce champ doit être une chaîne de caractères."),
    "too_long": (
        "This field is too long (at most {limit} characters).",
        "Ce champ est trop long ({limit} caractères au plus).",
    ),
    "nul": (
        "This field contains a NUL character.",
        "Ce champ contient un caractère NUL.",
    ),
    "email.invalid": (
        "This is not a valid email address: {detail}",
        "Cette adresse e-mail n'est pas valide : {detail}",
    ),
    "url.invalid": (
        "This is not a valid web address (http or https).",
        "Cette adresse web n'est pas valide (http ou https).",
    ),
    "ip.invalid": ("This is not a valid IP address.", "Cette adresse IP n'est pas valide."),
    "datetime.invalid": (
        "This is not an ISO 8601 date and time.",
        "Ce n'est pas une date et heure ISO 8601.",
    ),
    "language.invalid": (
        "This is not a language tag such as 'fr' or 'en-GB'.",
        "Ce n'est pas un code de langue comme « fr » ou « en-GB ».",
    ),
}

TITLES: dict[str, tuple[str, str]] = {
    "validation": ("The comment is invalid.", "Le commentaire n'est pas valide."),
    "malformed_json": ("The body is not valid JSON.", "Le corps n'est pas du JSON valide."),
    "not_object": (
        "The body must be a JSON object.",
        "Le corps doit être un objet JSON.",
    ),
    "invalid_utf8": ("The body is not valid UTF-8.", "Le corps n'est pas de l'UTF-8 valide."),
    "unsupported_media_type": (
        "Send application/json or application/x-www-form-urlencoded.",
        "Envoyez application/json ou application/x-www-form-urlencoded.",
    ),
    "too_large": ("The body is too large.", "Le corps est trop volumineux."),
    "unauthorized": (
        "A valid API key is required (Authorization: Bearer <key>).",
        "Une clé d'API valide est requise (Authorization: Bearer <clé>).",
    ),
    "not_found": ("Not found.", "Introuvable."),
    "idempotency_mismatch": (
        "This idempotency key was already used with a different comment.",
        "Cette clé d'idempotence a déjà servi pour un autre commentaire.",
    ),
    "unavailable": (
        "The service cannot store comments right now; retry later.",
        "Le service ne peut pas enregistrer de commentaires pour le moment ; réessayez plus tard.",
    ),
    "method_not_allowed": ("Method not allowed.", "Méthode non autorisée."),
    "bad_request": ("Bad request.", "Requête incorrecte."),
    "internal": ("Internal error.", "Erreur interne."),
    # Moderator decisions (moderation/decisions.py)
    "conflict": (
        "Someone else changed this comment meanwhile.",
        "Quelqu'un d'autre a modifié ce commentaire entre-temps.",
    ),
    "claimed": (
        "Another moderator is reviewing this comment.",
        "Un autre modérateur examine ce commentaire.",
    ),
    "changed_since": (
        "The comment changed since your decision; it cannot be undone.",
        "Le commentaire a changé depuis votre décision ; impossible d'annuler.",
    ),
    "nothing_to_undo": ("You have no decision to undo.", "Vous n'avez aucune décision à annuler."),
    "unknown_action": (
        "The action must be approve, spam or reject.",
        "L'action doit être approve, spam ou reject.",
    ),
    "reason_too_long": ("The reason is too long.", "Le motif est trop long."),
    "no_change": ("The comment already has this status.", "Le commentaire a déjà ce statut."),
    "too_many": ("Too many comments at once.", "Trop de commentaires à la fois."),
    "duplicate": (
        "Duplicate comment detected; it looks as though you've already said that!",
        "Commentaire en double ; il semble que vous l'ayez déjà dit !",
    ),
    "flood": (
        "You are posting comments too quickly. Slow down.",
        "Vous publiez des commentaires trop rapidement. Ralentissez.",
    ),
    "in_progress": (
        "A request with the same key is still being processed; retry in a moment.",
        "Une requête avec la même clé est en cours de traitement ; réessayez dans un instant.",
    ),
    "rate_limited": (
        "This site sends too many comments; retry later.",
        "Ce site envoie trop de commentaires ; réessayez plus tard.",
    ),
}


def message(key: str, lang: str, **params: object) -> str:
    """Return the message for ``key`` in ``lang`` ('en' or 'fr')."""
    en, fr = MESSAGES.get(key) or TITLES[key]
    return (fr if lang == "fr" else en).format(**params)
