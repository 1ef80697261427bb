"""Offline language detection (langdetect, seeded so the same text always gets the same tag)."""

from __future__ import annotations

import threading

MIN_LETTERS = 25  # below this the detector guesses
MIN_PROBABILITY = 0.80
_lock = threading.Lock()


def detect(text: str) -> str | None:
    """Return the primary language tag of ``text`` ('fr', 'en' ...), or None when unsure."""
    if sum(c.isalpha() for c in text) < MIN_LETTERS:
        return None
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    with _lock:  # langdetect's factory is a module global, seeded once
        DetectorFactory.seed = 0
        try:
            best = detect_langs(text)[0]
        except LangDetectException:
            return None
    if best.prob < MIN_PROBABILITY:
        return None
    return str(best.lang).split("-")[0].lower()
