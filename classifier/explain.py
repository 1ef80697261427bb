"""Turn one comment's linear contributions into moderator-readable reasons with spans.

The model is linear on top of its features, so each feature's share of the margin is exact:
word and character n-grams are summed per word of the comment, signals keep their own words.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from classifier.features import SIGNALS, Field, comment_signals
from classifier.pipeline import prepare_comments
from classifier.records import CommentInput, Reason, Span

_TOKEN_RE = re.compile(r"\S+")
_WORD_RE = re.compile(r"(?u)\b\w\w+\b")
_URLISH = re.compile(r"(?:https?:|www\.|\.[a-z]{2,6}(?:/|$))")


class Explainer:
    """Explain margins of a fitted pipeline; caches vocabularies between calls."""

    def __init__(self, pipeline: Pipeline) -> None:
        union = pipeline.named_steps["features"]
        self.union = union
        self.model = pipeline.named_steps["model"]
        weights = union.transformer_weights or {}
        self.words = union.transformer_list[0][1].named_steps["tfidf"]
        self.chars = union.transformer_list[1][1].named_steps["tfidf"]
        self.n_words = len(self.words.vocabulary_)
        self.n_chars = len(self.chars.vocabulary_)
        coef = np.asarray(self.model.coef_[0], dtype=np.float64)
        self.coef_words = coef[: self.n_words] * weights.get("words", 1.0)
        self.coef_chars = coef[self.n_words : self.n_words + self.n_chars] * weights.get(
            "chars", 1.0
        )
        self.coef_signals = coef[self.n_words + self.n_chars :] * weights.get("signals", 1.0)
        self.word_terms = self.words.get_feature_names_out()
        self.char_analyzer = self.chars.build_analyzer()

    def margin_and_reasons(
        self, comment: CommentInput, top: int = 6, min_weight: float = 0.05
    ) -> tuple[float, list[Reason]]:
        """Return the decision margin and the `top` strongest reasons for one comment."""
        prepared = prepare_comments([comment])
        c, text = prepared[0]
        row = self.union.transform(prepared).tocsr()
        margin = float((row @ self.model.coef_[0])[0] + self.model.intercept_[0])
        cols, vals = row.indices, row.data.astype(np.float64)
        reasons = self._token_reasons(text, cols, vals) + self._signal_reasons(c, text, cols, vals)
        reasons = [r for r in reasons if abs(r.weight) >= min_weight and r.weight != 0]
        reasons.sort(key=lambda r: -abs(r.weight))
        return margin, reasons[:top]

    def _token_reasons(self, text: Field, cols: np.ndarray, vals: np.ndarray) -> list[Reason]:
        contrib: dict[str, float] = defaultdict(float)
        tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(text.norm)]
        # Character n-grams: share each n-gram's contribution among the words it occurs in.
        in_chars = (cols >= self.n_words) & (cols < self.n_words + self.n_chars)
        char_contrib = {
            int(j) - self.n_words: v * self.coef_chars[int(j) - self.n_words]
            for j, v in zip(cols[in_chars], vals[in_chars], strict=True)
        }
        per_token = {tok: Counter(self.char_analyzer(tok)) for tok, _, _ in tokens}
        total: Counter[str] = Counter()
        for tok, _, _ in tokens:
            total.update(per_token[tok])
        vocab = self.chars.vocabulary_
        for tok, _, _ in tokens:
            for gram, n in per_token[tok].items():
                j = vocab.get(gram)
                if j is not None and j in char_contrib:
                    contrib[tok] += char_contrib[j] * n / total[gram]
        # Word n-grams: unigrams join their word, longer n-grams become phrases.
        phrases: dict[str, float] = {}
        in_words = cols < self.n_words
        for j, v in zip(cols[in_words], vals[in_words], strict=True):
            term = str(self.word_terms[int(j)])
            w = float(v * self.coef_words[int(j)])
            if " " in term:
                phrases[term] = w
                continue
            owners = [tok for tok, _, _ in tokens if term in _WORD_RE.findall(tok)]
            for tok in owners:
                contrib[tok] += w / len(owners)
        out = []
        for tok, w in contrib.items():
            spans = [text.span(s, e) for t, s, e in tokens if t == tok]
            shown = tok.strip(".,;:!?()[]\"'«»")
            if _URLISH.search(tok):
                out.append(Reason("link_text", f"the link '{shown}'", w, spans))
            else:
                out.append(Reason("word", f"the word '{shown or tok}'", w, spans))
        for term, w in phrases.items():
            pattern = r"(?<!\w)" + r"\W+".join(map(re.escape, term.split())) + r"(?!\w)"
            spans = [text.span(m.start(), m.end()) for m in re.finditer(pattern, text.norm)]
            out.append(Reason("phrase", f"the phrase '{term}'", w, spans))
        return _dedupe(out)

    def _signal_reasons(
        self, c: CommentInput, text: Field, cols: np.ndarray, vals: np.ndarray
    ) -> list[Reason]:
        hits = comment_signals(c, text)
        offset = self.n_words + self.n_chars
        out = []
        for j, v in zip(cols, vals, strict=True):
            if j < offset:
                continue
            code = SIGNALS[int(j) - offset]
            hit = hits.get(code)
            if hit is not None:
                w = float(v * self.coef_signals[int(j) - offset])
                out.append(Reason(code, hit.message, float(w), list(hit.spans)))
        return out


def _dedupe(reasons: list[Reason]) -> list[Reason]:
    """Merge reasons with the same message (e.g. 'Casino' and 'casino!' fold alike)."""
    merged: dict[tuple[str, str], Any] = {}
    for r in reasons:
        key = (r.code, r.message)
        if key in merged:
            prev = merged[key]
            merged[key] = Reason(r.code, r.message, prev.weight + r.weight, prev.spans + r.spans)
        else:
            merged[key] = r
    return [Reason(r.code, r.message, float(r.weight), _unique(r.spans)) for r in merged.values()]


def _unique(spans: list[Span]) -> list[Span]:
    return sorted(set(spans), key=lambda s: (s.field, s.start, s.end))
