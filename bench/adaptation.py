"""Benchmark per-site learning: stream each YouTube video as a new site, in comment order.

Run from the project root: `.venv/bin/python bench/adaptation.py [--every 50] [--cap 10]`.

The model starts from the bootstrap corpus alone. The stream is cut into batches of `--every`
comments; each batch is scored by the current model BEFORE its labels are learnt, then the model
is retrained on the bootstrap corpus plus every site label so far (classifier.adapt, the code the
service runs). Two references see the same labels in the same run: a plain TF-IDF logistic
regression retrained on bootstrap + site labels at the same points, and SpamBayes learning every
label as it comes (scored before learning each comment).

"AUC after N labels" is the ROC-AUC of the scores that the model trained on the first N site
labels gives to every LATER comment of the stream (N = 0 is the bootstrap model on the whole
stream). "prequential" is the ROC-AUC of all the per-batch scores taken together. The review
share is the share of those later comments between the thresholds: the model's own for
Palabre, SpamBayes' default cut-offs 0.20 / 0.90 for both references (which have none).
Figures only, no pass/fail; targets are printed beside them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifier.adapt import MAX_SITE_WEIGHT, train_site_model  # noqa: E402
from classifier.datasets import load_corpus, load_file  # noqa: E402
from classifier.metrics import three_way  # noqa: E402
from classifier.records import Example  # noqa: E402

YOUTUBE = ROOT.parent / "shared" / "data" / "youtube-spam-collection"
BOOTSTRAP = ROOT / "data" / "bootstrap"
CHECKPOINTS = (0, 100, 300)
TARGETS = {100: 0.95, 300: 0.97}
REF_CUTS = (0.20, 0.90)
Scorer = Callable[[list[Example]], tuple[list[float], float, float]]


def palabre_trainer(boot: list[Example], cap: float) -> Callable[[list[Example]], Scorer]:
    """Return a function training Palabre's site model on the site's labels so far."""

    def train(site: list[Example]) -> Scorer:
        model = train_site_model(boot, site, seed=0, cap=cap)

        def score(batch: list[Example]) -> tuple[list[float], float, float]:
            probs = model.score_many([e.comment for e in batch])
            return probs, model.low_threshold, model.high_threshold

        return score

    return train


def logreg_trainer(boot: list[Example]) -> Callable[[list[Example]], Scorer]:
    """Return a function training a plain TF-IDF logistic regression on boot + site labels."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    def train(site: list[Example]) -> Scorer:
        data = boot + site
        pipe = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            LogisticRegression(max_iter=1000, class_weight="balanced"),
        )
        pipe.fit([e.comment.content for e in data], [e.label for e in data])

        def score(batch: list[Example]) -> tuple[list[float], float, float]:
            probs = pipe.predict_proba([e.comment.content for e in batch])[:, 1].tolist()
            return probs, *REF_CUTS

        return score

    return train


def _auc(labels: list[int], scores: list[float]) -> float:
    return float(roc_auc_score(labels, scores)) if len(set(labels)) == 2 else float("nan")


def _checkpoint(rest: list[Example], probs: list[float], low: float, high: float) -> dict:
    labels = [e.label for e in rest]
    return {"auc": _auc(labels, probs), **three_way(labels, probs, low, high)}


def run_retrained(
    stream: list[Example], train: Callable[[list[Example]], Scorer], every: int, model0: Scorer
) -> dict:
    """Stream with retraining every `every` labels; return checkpoint and prequential figures."""
    score, seen, preq, points = model0, 0, [], {}
    while seen < len(stream):
        if seen in CHECKPOINTS:
            points[seen] = _checkpoint(stream[seen:], *score(stream[seen:]))
        batch = stream[seen : seen + every]
        preq.extend(score(batch)[0])
        seen += len(batch)
        if seen < len(stream):
            score = train(stream[:seen])
    return {"points": points, "prequential": _auc([e.label for e in stream], preq)}


def run_spambayes(stream: list[Example], boot: list[Example]) -> dict:
    """SpamBayes trained on the bootstrap corpus, then learning every label as it comes."""
    from sbclassifier import Classifier, ClassifierDb, tokenize_text

    sb = Classifier(ClassifierDb())
    for e in boot:
        sb.learn(tokenize_text(e.comment.content), bool(e.label))
    preq, points = [], {}
    for i, e in enumerate(stream):
        if i in CHECKPOINTS:
            rest = stream[i:]
            probs = [float(sb.spamprob(tokenize_text(r.comment.content))) for r in rest]
            points[i] = _checkpoint(rest, probs, *REF_CUTS)
        tokens = list(tokenize_text(e.comment.content))
        preq.append(float(sb.spamprob(tokens)))
        sb.learn(tokens, bool(e.label))
    return {"points": points, "prequential": _auc([e.label for e in stream], preq)}


def _fmt(value: float | None) -> str:
    return "  n/a" if value is None or value != value else f"{value:.3f}"


def report(video: str, results: dict[str, dict]) -> list[str]:
    """Return the table lines of one video and the target verdicts."""
    lines = [f"\n{video}  ({results['n']} comments, {results['spam']} spam)"]
    head = "  ".join(f"AUC@{n:<3}" for n in CHECKPOINTS)
    rev = "  ".join(f"rev@{n:<3}" for n in CHECKPOINTS)
    lines.append(f"  {'method':22} {head}  prequential  {rev}  spam-appr@300  ham-blocked@300")
    for name in ("palabre", "tfidf-logreg", "spambayes"):
        r = results[name]
        pts = r["points"]
        aucs = "  ".join(f"{_fmt(pts.get(n, {}).get('auc')):>7}" for n in CHECKPOINTS)
        revs = "  ".join(f"{_fmt(pts.get(n, {}).get('review_share')):>7}" for n in CHECKPOINTS)
        last = pts.get(300, {})
        lines.append(
            f"  {name:22} {aucs}  {_fmt(r['prequential']):>11}  {revs}"
            f"  {_fmt(last.get('spam_approved')):>13}  {_fmt(last.get('ham_to_spam')):>15}"
        )
    pal = results["palabre"]["points"]
    for n, target in TARGETS.items():
        auc = pal.get(n, {}).get("auc", float("nan"))
        verdict = "met" if auc >= target else "MISSED"
        lines.append(f"  target AUC@{n} >= {target}: {_fmt(auc)} {verdict}")
    not_ahead = [
        (n, ref, results[ref]["points"][n]["auc"])
        for n in CHECKPOINTS
        if n in pal
        for ref in ("tfidf-logreg", "spambayes")
        if not pal[n]["auc"] > results[ref]["points"][n]["auc"]
    ]
    if not not_ahead:
        verdict = "yes"
    elif all(pal[n]["auc"] == auc == 1.0 for n, _, auc in not_ahead):
        # Both rank the rest of the stream perfectly: nothing is left to be ahead on.
        level = ", ".join(f"{ref} at {n}" for n, ref, _ in not_ahead)
        verdict = f"yes, except level at AUC 1.000 with {level}"
    else:
        verdict = "NO"
    lines.append(f"  ahead of both references at every point: {verdict}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=50, help="retrain every N comments")
    parser.add_argument("--cap", type=float, default=MAX_SITE_WEIGHT, help="max site weight")
    parser.add_argument("--videos", nargs="*", help="file stems, default all three")
    args = parser.parse_args()
    start = time.perf_counter()
    boot = load_corpus([BOOTSTRAP])
    files = sorted(YOUTUBE.glob("*.csv"))
    if args.videos:
        files = [f for f in files if f.stem in args.videos]
    pal_train, lr_train = palabre_trainer(boot, args.cap), logreg_trainer(boot)
    pal0, lr0 = pal_train([]), lr_train([])
    print(f"bootstrap corpus: {len(boot)} comments; retrain every {args.every}; cap {args.cap}")
    lines: list[str] = []
    for path in files:
        stream = load_file(path)
        res: dict = {"n": len(stream), "spam": sum(e.label for e in stream)}
        res["palabre"] = run_retrained(stream, pal_train, args.every, pal0)
        res["tfidf-logreg"] = run_retrained(stream, lr_train, args.every, lr0)
        res["spambayes"] = run_spambayes(stream, boot)
        block = report(path.stem, res)
        print("\n".join(block), flush=True)
        lines += block
    print(f"\n{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
