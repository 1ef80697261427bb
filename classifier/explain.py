"""Turn one comment's linear contributions into moderator-readable reasons with spans.

The model is linear on top of its features, so each feature's share of the margin is exact:
word and character n-grams are summed per word of the comment, signals keep their own words.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from sklearn.pipeline import Pipeline
from sklearn.utils import murmurhash3_32

from classifier.features import NETWORK, SIGNALS, Field, comment_signals, signal_column
from classifier.pipeline import content_texts, prepare_comments, signal_matrix
from classifier.records import CommentInput, Reason, Span

_TOKEN_RE = re.compile(r"\S+")
_WORD_RE = re.compile(r"(?u)\b\w\w+\b")
# Signals every comment has (a length): their share is a baseline, not a reason to show.
_BASELINE = frozenset({"length"})
_URLISH = re.compile(r"(?:https?:|www\.|\.[a-z]{2,6}(?:/|$))")
_MIN_SHOWN = 0.05  # reasons weaker than this are never shown (margin_and_reasons' default)
_CACHE_LIMIT = 400_000  # n-gram -> column entries kept per hasher (a few tens of MB at most)


class ColumnCache:
    """Remember which hashed column each n-gram lands in; hashing is deterministic.

    A new n-gram is hashed here the way FeatureHasher does it (MurmurHash3, seed 0, of the
    UTF-8 bytes), without FeatureHasher's per-call validation and sparse matrix, which cost
    more than scoring one comment's novel word pairs; seen n-grams are dict hits.
    tests/classifier/test_explain_columns.py checks the columns against FeatureHasher's.
    """

    def __init__(self, hasher: FeatureHasher) -> None:
        self.n_features = int(hasher.n_features)
        self.columns: dict[str, int] = {}

    def column(self, term: str) -> int:
        """Return the column FeatureHasher gives ``term``: MurmurHash3 (seed 0) of its UTF-8."""
        h = int(murmurhash3_32(term, seed=0))
        if h == -(2**31):  # abs() would overflow in FeatureHasher's int32; it special-cases it
            return (2**31 - 1 - (self.n_features - 1)) % self.n_features
        return abs(h) % self.n_features

    def lookup(self, terms: Iterable[str]) -> dict[str, int]:
        """Return the column of every term, hashing only the ones not seen before."""
        if len(self.columns) > _CACHE_LIMIT:
            self.columns.clear()
        columns = self.columns
        get = columns.get
        out = {term: get(term, -1) for term in terms}
        for term, j in out.items():
            if j < 0:
                out[term] = columns[term] = self.column(term)
        return out

    def counts(self, analyzer: Any, texts: list[str], n_features: int) -> Any:
        """Return the hashed count matrix of ``texts``, as the vectorizer would build it."""
        grams = [analyzer(t) for t in texts]
        columns = self.lookup(g for row in grams for g in row)
        indptr: list[int] = [0]
        indices: list[int] = []
        data: list[int] = []
        for row in grams:
            counted = Counter(columns[g] for g in row)
            indices.extend(counted)
            data.extend(counted.values())
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int32), indptr),
            shape=(len(texts), n_features),
        )


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
        self.word_columns = ColumnCache(
            FeatureHasher(self.n_words, input_type="string", alternate_sign=False)
        )
        self.char_columns = ColumnCache(
            FeatureHasher(self.n_chars, input_type="string", alternate_sign=False)
        )

        word_steps = union.transformer_list[0][1].named_steps
        char_steps = union.transformer_list[1][1].named_steps
        self.idf_words = np.asarray(word_steps["tfidf"].idf_, dtype=np.float64)
        self.idf_chars = np.asarray(char_steps["tfidf"].idf_, dtype=np.float64)
        self.signal_scale = np.asarray(
            union.transformer_list[2][1].named_steps["scale"].scale_, dtype=np.float64
        )
        self.intercept = float(self.model.intercept_[0])
        extract = union.transformer_list[2][1].named_steps["extract"]
        self.network_buckets = int((extract.kw_args or {}).get("network_buckets", 0))
        self._token_columns: dict[str, tuple[int, ...]] = {}

    @staticmethod
    def _tfidf(x: Any, idf: np.ndarray) -> Any:
        """Weight hashed counts exactly as the pipeline's TfidfTransformer does (in place)."""
        np.log(x.data, x.data)
        x.data += 1.0
        x.data *= idf[x.indices]
        lengths = np.diff(x.indptr)
        squares = np.repeat(np.arange(x.shape[0]), lengths)
        norms = np.sqrt(np.bincount(squares, weights=x.data**2, minlength=x.shape[0]))
        norms[norms == 0] = 1.0
        x.data /= np.repeat(norms, lengths)
        return x

    def blocks(self, prepared: list[Any]) -> tuple[Any, Any, Any]:
        """Return the word, char and signal feature rows, without sklearn's per-call overhead."""
        texts = content_texts(prepared)
        words = self.word_columns.counts(self.word_analyzer, texts, self.n_words)
        xw = self._tfidf(words, self.idf_words)
        xc = self._tfidf(self._char_counts(texts), self.idf_chars)
        xs = signal_matrix(prepared, self.network_buckets).tocsr()
        xs.data /= self.signal_scale[xs.indices]
        return xw, xc, xs

    def margins(self, prepared: list[Any]) -> np.ndarray:
        """Return decision margins, equal to the pipeline's decision_function."""
        if not prepared:
            return np.zeros(0)
        xw, xc, xs = self.blocks(prepared)
        out = xw @ self.coef_words + xc @ self.coef_chars + xs @ self.coef_signals
        return np.asarray(out, dtype=np.float64) + self.intercept

    def margin_and_reasons(
        self, comment: CommentInput, top: int = 6, min_weight: float = _MIN_SHOWN
    ) -> tuple[float, list[Reason]]:
        """Return the decision margin and the `top` strongest reasons for one comment.

        One comment needs no sparse matrices: the rows are built as (column, value) arrays,
        and the signals are computed once for both the margin and their reasons. The
        character n-grams (char_wb: never across a space) are analysed once per distinct
        word and serve both the margin and the per-word reasons.
        """
        ((c, text),) = prepare_comments([comment])
        hits = comment_signals(c, text)
        word_counts = Counter(self.word_analyzer(text.norm))
        word_cols = self.word_columns.lookup(word_counts)
        cw, vw = self._weighted(word_cols, word_counts, self.idf_words)
        tokens = [(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(text.norm)]
        occurrences = Counter(tok for tok, _, _ in tokens)
        char_margin, token_chars = self._char_shares(occurrences)
        placed = [(signal_column(k, h, self.network_buckets), h.value) for k, h in hits.items()]
        placed = [(j, v) for j, v in placed if j is not None]
        cs = np.fromiter((j for j, _ in placed), dtype=np.int64, count=len(placed))
        vs = np.fromiter((v for _, v in placed), dtype=np.float64, count=len(placed))
        vs = vs / self.signal_scale[cs]
        margin = (
            float(vw @ self.coef_words[cw] + char_margin + vs @ self.coef_signals[cs])
            + self.intercept
        )
        cols = np.concatenate([cw, cs + self.n_words + self.n_chars])
        vals = np.concatenate([vw, vs])
        words = self._token_reasons(text, tokens, token_chars, word_cols, cols, vals, min_weight)
        found: list[Reason | _Located] = [*words, *self._signal_reasons(hits, cols, vals)]
        found = [r for r in found if abs(r.weight) >= min_weight and r.weight != 0]
        found.sort(key=lambda r: -abs(r.weight))
        # Spans are mapped back to the original text only for the reasons shown.
        return margin, [r.reason(text) if isinstance(r, _Located) else r for r in found[:top]]

    @staticmethod
    def _weighted(
        columns: dict[str, int], counts: Counter[str], idf: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the tf-idf row (columns, values) of n-gram counts, as ``_tfidf`` builds it."""
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        where = np.fromiter((columns[g] for g in counts), dtype=np.int64, count=len(counts))
        n = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        cols, inverse = np.unique(where, return_inverse=True)  # hash collisions add up
        vals = np.bincount(inverse, weights=n, minlength=cols.size)
        vals = (np.log(vals) + 1.0) * idf[cols]
        norm = float(np.sqrt(vals @ vals))
        return cols, (vals / norm if norm else vals)

    def _char_columns(self, token: str) -> tuple[int, ...]:
        """Return the column of each character n-gram of one word (char_wb stays in words)."""
        cached = self._token_columns.get(token)
        if cached is None:
            if len(self._token_columns) > _CACHE_LIMIT // 4:
                self._token_columns.clear()
            grams = self.char_analyzer(token)
            columns = self.char_columns.lookup(grams)
            cached = self._token_columns[token] = tuple(columns[g] for g in grams)
        return cached

    def _char_counts(self, texts: list[str]) -> Any:
        """Return the hashed char_wb counts of ``texts``, built from each word's columns.

        char_wb n-grams never cross white space, so a text's n-grams are its words' n-grams:
        the same matrix as the vectorizer's, from the per-word columns ``_char_columns`` keeps.
        """
        indptr: list[int] = [0]
        indices: list[int] = []
        data: list[int] = []
        for text in texts:
            counted = Counter(chain.from_iterable(self._char_columns(w) for w in text.split()))
            indices.extend(counted)
            data.extend(counted.values())
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int32), indptr),
            shape=(len(texts), self.n_chars),
        )

    def _char_shares(self, occurrences: Counter[str]) -> tuple[float, dict[str, float]]:
        """Return the character n-grams' share of the margin, in total and per word.

        The comment's char_wb n-grams are those of its words, so each distinct word is
        analysed once (and remembered across comments). The tf-idf row is built over columns as
        ``_tfidf`` does; a column's contribution is shared equally among its occurrences, and a
        word receives the shares of the n-gram occurrences it holds.
        """
        if not occurrences:
            return 0.0, {}
        words = list(occurrences)
        per_word = [self._char_columns(w) for w in words]
        lengths = np.fromiter(map(len, per_word), dtype=np.int64, count=len(words))
        columns = np.fromiter(chain.from_iterable(per_word), dtype=np.int64, count=lengths.sum())
        if not columns.size:
            return 0.0, dict.fromkeys(words, 0.0)
        repeats = np.fromiter(occurrences.values(), dtype=np.float64, count=len(words))
        cols, inverse = np.unique(columns, return_inverse=True)
        counts = np.bincount(inverse, weights=np.repeat(repeats, lengths), minlength=cols.size)
        vals = (np.log(counts) + 1.0) * self.idf_chars[cols]
        norm = float(np.sqrt(vals @ vals))
        share = vals / norm * self.coef_chars[cols] if norm else vals * 0.0
        word_of = np.repeat(np.arange(len(words)), lengths)
        per_occurrence = (share / counts)[inverse]
        totals = np.bincount(word_of, weights=per_occurrence, minlength=len(words)) * repeats
        return float(share.sum()), dict(zip(words, totals.tolist(), strict=True))

    def _token_reasons(
        self,
        text: Field,
        tokens: list[tuple[str, int, int]],
        token_chars: dict[str, float],
        word_cols: dict[str, int],
        cols: np.ndarray,
        vals: np.ndarray,
        min_weight: float,
    ) -> list[_Located]:
        # Character n-grams: each word's share, from _char_shares.
        contrib: dict[str, float] = defaultdict(float, token_chars)
        # Word n-grams: unigrams join their word, longer n-grams become phrases.
        in_words = cols < self.n_words
        word_cols_hit = cols[in_words]
        shares = vals[in_words] * self.coef_words[word_cols_hit]
        word_contrib = dict(zip(word_cols_hit.tolist(), shares.tolist(), strict=True))
        # Indexes built once per distinct word, so that nothing below is quadratic.
        where: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for tok, start, end in tokens:
            where[tok].append((start, end))
        owners_of: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for tok, spans in where.items():
            for word in _words_in(tok):
                owners_of[word].append((tok, len(spans)))
        sharing = Counter(word_cols.values())
        phrases: dict[str, float] = {}
        for term in sorted(word_cols):
            j = word_cols[term]
            if j not in word_contrib:
                continue
            w = word_contrib[j] / sharing[j]
            if " " in term:
                phrases[term] = w
                continue
            owners = owners_of.get(term)
            if owners:  # shared among the occurrences of the words that hold it
                occurrences = owners[0][1] if len(owners) == 1 else sum(n for _t, n in owners)
                for tok, n in owners:
                    contrib[tok] += w * n / occurrences
        # Words that read alike ('Casino', 'casino!') make one reason; only those strong
        # enough to be shown are kept, worded and located.
        merged: dict[tuple[bool, str], tuple[float, list[tuple[int, int]]]] = {}
        for tok, w in contrib.items():
            key = _shown(tok)
            prev = merged.get(key)
            merged[key] = (w, where[tok]) if prev is None else (prev[0] + w, prev[1] + where[tok])
        out = [
            _Located("link_text", f"the link '{label}'", w, offsets)
            if link
            else _Located("word", f"the word '{label}'", w, offsets)
            for (link, label), (w, offsets) in merged.items()
            if abs(w) >= min_weight
        ]
        shown = [(term, w) for term, w in phrases.items() if abs(w) >= min_weight]
        if shown:  # most comments have none: the word index is built only for those that do
            words = [(m.group(0), m.start(), m.end()) for m in _WORD_RE.finditer(text.norm)]
            starts: dict[str, list[int]] = defaultdict(list)
            for i, (word, _, _) in enumerate(words):
                starts[word].append(i)
            for term, w in shown:
                spans = _phrase_spans(term.split(), words, starts)
                out.append(_Located("phrase", f"the phrase '{term}'", w, spans))
        return out

    def _signal_reasons(
        self, hits: dict[str, Any], cols: np.ndarray, vals: np.ndarray
    ) -> list[Reason]:
        offset = self.n_words + self.n_chars
        out = []
        for j, v in zip(cols, vals, strict=True):
            if j < offset:
                continue
            k = int(j) - offset
            code = SIGNALS[k] if k < len(SIGNALS) else NETWORK
            hit = hits.get(code)
            if hit is not None and code not in _BASELINE:
                w = float(v * self.coef_signals[int(j) - offset])
                out.append(Reason(code, hit.message, float(w), list(hit.spans)))
        return out


@lru_cache(maxsize=1 << 15)
def _words_in(token: str) -> tuple[str, ...]:
    """Return the distinct words (as the word n-grams see them) of one white-space token."""
    return tuple(set(_WORD_RE.findall(token)))


@lru_cache(maxsize=1 << 15)
def _shown(token: str) -> tuple[bool, str]:
    """Return (is it a link, how it is named) for a token: 'Casino!' reads as 'casino'."""
    label = token.strip(".,;:!?()[]\"'«»")
    if _URLISH.search(token):
        return True, label
    return False, label or token


def _phrase_spans(
    parts: list[str],
    words: list[tuple[str, int, int]],
    starts: dict[str, list[int]],
) -> list[tuple[int, int]]:
    """Return where the words of a word n-gram occur in a row, in normalised offsets."""
    k = len(parts)
    return [
        (words[i][1], words[i + k - 1][2])
        for i in starts.get(parts[0], [])
        if i + k <= len(words) and all(words[i + x][0] == parts[x] for x in range(1, k))
    ]


@dataclass(frozen=True)
class _Located:
    """A word or phrase reason whose spans are still offsets in the normalised text."""

    code: str
    message: str
    weight: float
    offsets: list[tuple[int, int]]

    def reason(self, text: Field) -> Reason:
        """Return the Reason, its spans mapped back to the original text."""
        spans = [text.span(s, e) for s, e in self.offsets]
        return Reason(self.code, self.message, float(self.weight), _unique(spans))


def _unique(spans: list[Span]) -> list[Span]:
    return sorted(set(spans), key=lambda s: (s.field, s.start, s.end))
