"""Turn one comment's linear contributions into moderator-readable reasons with spans.

The model is linear on top of its features, so each feature's share of the margin is exact:
word and character n-grams are summed per word of the comment, signals keep their own words.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize

from classifier.features import SIGNALS, Field, comment_signals
from classifier.pipeline import content_texts, prepare_comments, signal_matrix
from classifier.records import CommentInput, Reason, Span

_TOKEN_RE = re.compile(r"\S+")
_WORD_RE = re.compile(r"(?u)\b\w\w+\b")
# Signals every comment has (a length): their share is a baseline, not a reason to show.
_BASELINE = frozenset({"length"})
_URLISH = re.compile(r"(?:https?:|www\.|\.[a-z]{2,6}(?:/|$))")


class Explainer:
    """Explain margins of a fitted pipeline; caches weights and hashers between calls."""

    def __init__(self, pipeline: Pipeline) -> None:
        union = pipeline.named_steps["features"]
        self.union = union
        self.model = pipeline.named_steps["model"]
        weights = union.transformer_weights or {}
        self.words = union.transformer_list[0][1].named_steps["hash"]
        self.chars = union.transformer_list[1][1].named_steps["hash"]
        self.n_words = int(self.words.n_features)
        self.n_chars = int(self.chars.n_features)
        coef = np.asarray(self.model.coef_[0], dtype=np.float64)
        self.coef_words = coef[: self.n_words] * weights.get("words", 1.0)
        self.coef_chars = coef[self.n_words : self.n_words + self.n_chars] * weights.get(
            "chars", 1.0
        )
        self.coef_signals = coef[self.n_words + self.n_chars :] * weights.get("signals", 1.0)
        self.word_analyzer = self.words.build_analyzer()
        self.char_analyzer = self.chars.build_analyzer()
        # The same hashing the vectorizers use, to find the column of any one n-gram.
        self.word_hasher = FeatureHasher(self.n_words, input_type="string", alternate_sign=False)
        self.char_hasher = FeatureHasher(self.n_chars, input_type="string", alternate_sign=False)

        word_steps = union.transformer_list[0][1].named_steps
        char_steps = union.transformer_list[1][1].named_steps
        self.idf_words = np.asarray(word_steps["tfidf"].idf_, dtype=np.float64)
        self.idf_chars = np.asarray(char_steps["tfidf"].idf_, dtype=np.float64)
        self.signal_scale = np.asarray(
            union.transformer_list[2][1].named_steps["scale"].scale_, dtype=np.float64
        )
        self.intercept = float(self.model.intercept_[0])

    def _tfidf(
        self, hasher: FeatureHasher, analyzer: Any, idf: np.ndarray, texts: list[str]
    ) -> Any:
        """Hash and weight texts exactly as the pipeline's vectorizer + TfidfTransformer do."""
        x = hasher.transform(analyzer(t) for t in texts).tocsr().astype(np.float64)
        x.sum_duplicates()
        np.log(x.data, x.data)
        x.data += 1.0
        x.data *= idf[x.indices]
        return normalize(x, norm="l2", copy=False)

    def blocks(self, prepared: list[Any]) -> tuple[Any, Any, Any]:
        """Return the word, char and signal feature rows, without sklearn's per-call overhead."""
        texts = content_texts(prepared)
        xw = self._tfidf(self.word_hasher, self.word_analyzer, self.idf_words, texts)
        xc = self._tfidf(self.char_hasher, self.char_analyzer, self.idf_chars, texts)
        xs = signal_matrix(prepared).tocsr()
        xs.data /= self.signal_scale[xs.indices]
        return xw, xc, xs

    def margins(self, prepared: list[Any]) -> np.ndarray:
        """Return decision margins, equal to the pipeline's decision_function."""
        if not prepared:
            return np.zeros(0)
        xw, xc, xs = self.blocks(prepared)
        out = xw @ self.coef_words + xc @ self.coef_chars + xs @ self.coef_signals
        return np.asarray(out, dtype=np.float64) + self.intercept

    @staticmethod
    def _columns(hasher: FeatureHasher, terms: list[str]) -> dict[str, int]:
        if not terms:
            return {}
        rows = hasher.transform([[t] for t in terms]).tocsr()
        return {t: int(rows.indices[rows.indptr[i]]) for i, t in enumerate(terms)}

    def margin_and_reasons(
        self, comment: CommentInput, top: int = 6, min_weight: float = 0.05
    ) -> tuple[float, list[Reason]]:
        """Return the decision margin and the `top` strongest reasons for one comment."""
        prepared = prepare_comments([comment])
        c, text = prepared[0]
        xw, xc, xs = self.blocks(prepared)
        row = sparse.hstack([xw, xc, xs], format="csr")
        cols, vals = row.indices, row.data.astype(np.float64)
        coef = np.concatenate([self.coef_words, self.coef_chars, self.coef_signals])
        margin = float(vals @ coef[cols] + self.intercept)
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
        char_cols = self._columns(self.char_hasher, sorted(total))
        sharing = Counter(char_cols.values())  # hash collisions split a column's weight
        for tok, _, _ in tokens:
            for gram, n in per_token[tok].items():
                j = char_cols[gram]
                if j in char_contrib:
                    contrib[tok] += char_contrib[j] * n / total[gram] / sharing[j]
        # Word n-grams: unigrams join their word, longer n-grams become phrases.
        in_words = cols < self.n_words
        word_contrib = {
            int(j): float(v * self.coef_words[int(j)])
            for j, v in zip(cols[in_words], vals[in_words], strict=True)
        }
        terms = sorted(set(self.word_analyzer(text.norm)))
        word_cols = self._columns(self.word_hasher, terms)
        sharing = Counter(word_cols.values())
        phrases: dict[str, float] = {}
        for term in terms:
            j = word_cols[term]
            if j not in word_contrib:
                continue
            w = word_contrib[j] / sharing[j]
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
            if hit is not None and code not in _BASELINE:
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
