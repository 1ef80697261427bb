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
}


def message(key: str, lang: str, **params: object) -> str:
    """Return the message for ``key`` in ``lang`` ('en' or 'fr')."""
    en, fr = MESSAGES.get(key) or TITLES[key]
    return (fr if lang == "fr" else en).format(**params)
