"""Benchmark the classifier: cross-video YouTube figures against two reference filters, then speed.

Run from the project root: `.venv/bin/python bench/classifier.py [--quick | --speed-only]`
(`--quick` skips the speed and size part, `--speed-only` does only that part). Figures only,
no pass/fail; targets are printed beside them.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifier.artifacts import load_model, save_model  # noqa: E402
from classifier.calibrate import choose_thresholds  # noqa: E402
from classifier.datasets import load_corpus, load_file  # noqa: E402
from classifier.metrics import evaluate_scores  # noqa: E402
from classifier.model import SpamModel  # noqa: E402
from classifier.normalize import normalize_text  # noqa: E402
from classifier.records import CommentInput, Example  # noqa: E402
from classifier.train import train_model  # noqa: E402

YOUTUBE = ROOT.parent / "shared" / "data" / "youtube-spam-collection"
BOOTSTRAP = ROOT / "data" / "bootstrap"
PROBE = ROOT / "data" / "probe"  # held out: written by us, never trained on (data/probe/README.md)
# Rows named "+cp95" keep the error budgets by the one-sided 95% Clopper-Pearson upper bound of
# each held-out error rate instead of the rate itself (choose_thresholds' `confidence`).
CONFIDENCE = 0.95
CROSS_VIDEO_ROWS = (
    "ours",
    "ours+cp95",
    "ours@sb_budget",
    "ours@sb_budget+cp95",
    "ours@sb_errors",
    "naive_bayes",
    "spambayes",
    # Trained as the product trains a site's model: the bootstrap corpus plus the site's labels
    # (here, the two training videos); the SpamBayes row below it gets the same training data.
    "ours+bootstrap",
    "ours+bootstrap@sb_budget+cp95",
    "spambayes+bootstrap",
)


def naive_bayes_scores(train: list[Example], test: list[Example]) -> list[float]:
    """Multinomial naive Bayes on word counts (the textbook baseline)."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB

    vec = CountVectorizer()
    x = vec.fit_transform([e.comment.content for e in train])
    nb = MultinomialNB().fit(x, [e.label for e in train])
    return nb.predict_proba(vec.transform([e.comment.content for e in test]))[:, 1].tolist()


def spambayes_scores(train: list[Example], test: list[Example]) -> list[float]:
    """SpamBayes (sbclassifier) chi-squared combining on its own tokenizer."""
    from sbclassifier import Classifier, ClassifierDb, tokenize_text

    sb = Classifier(ClassifierDb())
    for e in train:
        sb.learn(tokenize_text(e.comment.content), bool(e.label))
    return [float(sb.spamprob(tokenize_text(e.comment.content))) for e in test]


def own_figures(model: SpamModel, test: list[Example]) -> dict[str, float]:
    """A model's figures on `test` at the thresholds it chose on its own validation data."""
    scores = model.score_many([e.comment for e in test])
    return evaluate_scores(
        [e.label for e in test], scores, model.low_threshold, model.high_threshold
    )


def with_bootstrap(
    train: list[Example], test: list[Example], seed: int, budget_h: float, budget_s: float
) -> dict[str, dict[str, float]]:
    """Figures of the models trained on the bootstrap corpus plus the training videos."""
    plain = train_model(train, seed=seed, confidence=None)
    bound = train_model(
        train,
        seed=seed,
        max_ham_to_spam=budget_h,
        max_spam_approved=budget_s,
        confidence=CONFIDENCE,
    )
    labels = [e.label for e in test]
    return {
        "ours+bootstrap": own_figures(plain, test),
        "ours+bootstrap@sb_budget+cp95": own_figures(bound, test),
        "spambayes+bootstrap": evaluate_scores(labels, spambayes_scores(train, test), 0.20, 0.90),
    }


def spambayes_training_rates(files: list[Path], test_file: Path) -> tuple[float, float]:
    """SpamBayes's (ham marked spam, spam approved) on the training videos, at 0.20 / 0.90.

    Trained on one training video and tested on the other, both ways, averaged: what an
    operator could measure before deploying, without the test video.
    """
    a, b = (f for f in files if f != test_file)
    rates = []
    for train_f, test_f in ((a, b), (b, a)):
        train, test = load_file(train_f), load_file(test_f)
        fig = evaluate_scores([e.label for e in test], spambayes_scores(train, test), 0.20, 0.90)
        rates.append((fig["ham_to_spam"], fig["spam_approved"]))
    return float(np.mean([r[0] for r in rates])), float(np.mean([r[1] for r in rates]))


def cross_video(seed: int) -> list[dict[str, object]]:
    """Train on two videos, test on the third (minus rows seen in training), rotating."""
    files = sorted(YOUTUBE.glob("*.csv"))
    boot = load_corpus([BOOTSTRAP]) if BOOTSTRAP.is_dir() else []
    rows = []
    for test_file in files:
        train = [e for f in files if f != test_file for e in load_file(f)]
        # Rows of the bootstrap corpus are removed from the test too (1 of 1,128 here), so that
        # every filter, with or without the corpus, is measured on the same comments.
        seen = {normalize_text(e.comment.content) for e in train + boot}
        test = [e for e in load_file(test_file) if normalize_text(e.comment.content) not in seen]
        labels = [e.label for e in test]
        model = train_model(train, seed=seed, confidence=None)
        ours = model.score_many([e.comment for e in test])
        bound = train_model(train, seed=seed, confidence=CONFIDENCE)
        sb = evaluate_scores(labels, spambayes_scores(train, test), 0.20, 0.90)
        # The same scores at SpamBayes's error rates on this video: cut-offs placed on the test
        # scores themselves, so this compares ranking quality, not a deployable setting.
        cut = choose_thresholds(labels, ours, sb["ham_to_spam"], sb["spam_approved"])
        # Deployable: error budgets set to SpamBayes's error rates on the two training videos
        # (trained on one, tested on the other), thresholds chosen on our own validation data.
        budget_h, budget_s = spambayes_training_rates(files, test_file)
        budgeted, budgeted_bound = (
            train_model(
                train,
                seed=seed,
                max_ham_to_spam=budget_h,
                max_spam_approved=budget_s,
                confidence=confidence,
            )
            for confidence in (None, CONFIDENCE)
        )
        # A "+cp95" twin differs from its model only in thresholds (same data, same seed).
        figures = {
            "ours": evaluate_scores(labels, ours, model.low_threshold, model.high_threshold),
            "ours+cp95": own_figures(bound, test),
            "ours@sb_budget": own_figures(budgeted, test),
            "ours@sb_budget+cp95": own_figures(budgeted_bound, test),
            "ours@sb_errors": evaluate_scores(labels, ours, cut.low, cut.high),
            # NB has no review band of its own: a plain 0.5 cut (low = high).
            "naive_bayes": evaluate_scores(labels, naive_bayes_scores(train, test), 0.5, 0.5),
            "spambayes": sb,
            **(with_bootstrap(boot + train, test, seed, budget_h, budget_s) if boot else {}),
        }
        validation = {
            name: m.card["validation"]["metrics"]
            for name, m in (
                ("ours", model),
                ("ours+cp95", bound),
                ("ours@sb_budget", budgeted),
                ("ours@sb_budget+cp95", budgeted_bound),
            )
        }
        rows.append(
            {
                "video": test_file.stem,
                "n": len(test),
                "budgets": (budget_h, budget_s),
                "validation": validation,
                **figures,
            }
        )
    return rows


def generalisation(seed: int) -> None:
    """Train on our bootstrap corpus (comments and messages, fr/en), test on YouTube, probes."""
    if not (BOOTSTRAP.is_dir() and any(BOOTSTRAP.glob("*.csv"))):
        print("\n(data/bootstrap absent: generalisation check skipped)")
        return
    train = load_corpus([BOOTSTRAP])
    models = {
        "ours": train_model(train, seed=seed, confidence=None),
        "ours+cp95": train_model(train, seed=seed, confidence=CONFIDENCE),
    }
    test = load_corpus(sorted(YOUTUBE.glob("*.csv")))
    print_transfer(
        f"Other domain: train on data/bootstrap ({len(train)} comments and messages, fr/en), "
        f"test on all YouTube ({len(test)})",
        train,
        test,
        models,
    )
    for name, m in models.items():
        val = m.card["validation"]["metrics"]
        print(
            f"{name}: thresholds low {m.low_threshold:.4f} high {m.high_threshold:.4f}; "
            f"validation ({m.card['validation']['scheme']}) ham->spam {val['ham_to_spam']:.4f} "
            f"spam approved {val['spam_approved']:.4f} review {val['review_share']:.4f}"
        )
    for path in sorted(PROBE.glob("*.csv")) if PROBE.is_dir() else []:
        probe = load_file(path)
        print_transfer(
            f"Held-out probe: the same model on data/probe/{path.name} ({len(probe)} messages "
            "we wrote in other styles: SMS, e-mail, forums, reviews, classifieds, social; fr/en)",
            train,
            probe,
            models,
        )


def print_transfer(
    title: str, train: list[Example], test: list[Example], models: dict[str, SpamModel]
) -> None:
    """Print our models' figures on `test` beside naive Bayes and SpamBayes trained on `train`."""
    labels = [e.label for e in test]
    figures = {name: own_figures(m, test) for name, m in models.items()}
    figures["naive_bayes"] = evaluate_scores(labels, naive_bayes_scores(train, test), 0.5, 0.5)
    figures["spambayes"] = evaluate_scores(labels, spambayes_scores(train, test), 0.20, 0.90)
    keys = ("roc_auc", "ham_to_spam", "spam_approved", "review_share")
    print(f"\n## {title}")
    print(f"{'filter':16} " + " ".join(f"{k:>13}" for k in keys))
    for name, fig in figures.items():
        print(f"{name:16} " + " ".join(f"{fig[k]:>13.4f}" for k in keys))


def print_cross_video(rows: list[dict[str, object]]) -> dict[str, dict[str, float]]:
    keys = ("roc_auc", "ham_to_spam", "spam_approved", "review_share")
    print("\n## Cross-video YouTube (train on 2 videos, test on the 3rd, duplicates removed)")
    print(f"{'test video':22} {'n':>4} {'filter':30} " + " ".join(f"{k:>13}" for k in keys))
    means: dict[str, dict[str, float]] = {}
    for name in (n for n in CROSS_VIDEO_ROWS if n in rows[0]):
        for row in rows:
            fig = row[name]
            assert isinstance(fig, dict)
            vals = " ".join(f"{fig[k]:>13.4f}" for k in keys)
            print(f"{row['video']!s:22} {row['n']!s:>4} {name:30} {vals}")
        means[name] = {k: float(np.mean([r[name][k] for r in rows])) for k in keys}  # type: ignore[index]
    print("\nmean over the three rotations:")
    for name, m in means.items():
        print(f"{'':27} {name:30} " + " ".join(f"{m[k]:>13.4f}" for k in keys))
    auc = means["ours"]["roc_auc"]
    print(f"\ntarget ROC-AUC >= 0.98 (mean): {auc:.4f} -> {'met' if auc >= 0.98 else 'MISSED'}")
    for name, what in (
        ("ours", "with the thresholds the model chose on its own validation data"),
        ("ours+cp95", "the same, budgets kept by 95% upper bounds of the validation rates"),
        (
            "ours@sb_budget",
            "budgets = SpamBayes's error rates on the training videos, thresholds from ours",
        ),
        ("ours@sb_budget+cp95", "the same, budgets kept by 95% upper bounds"),
        ("ours@sb_errors", "at SpamBayes's error rates (cut-offs placed on the test scores)"),
        ("ours+bootstrap", "trained on the bootstrap corpus too, its own thresholds"),
        ("ours+bootstrap@sb_budget+cp95", "the same, SpamBayes budgets kept by 95% bounds"),
    ):
        references = ["spambayes"]
        if name.startswith("ours+bootstrap"):
            references.append("spambayes+bootstrap")  # the same training data
        for ref in (r for r in references if r in means):
            if name in means:
                print_verdict(rows, means, name, ref, what)
    print("\nthresholds (low / high) and validation figures (ham->spam, spam approved, review):")
    for row in rows:
        budgets = row["budgets"]
        assert isinstance(budgets, tuple)
        print(f"{row['video']!s}: SpamBayes budgets {budgets[0]:.4f} / {budgets[1]:.4f}")
        for name, val in row["validation"].items():  # type: ignore[attr-defined]
            print(
                f"{'':4}{name:20} {val['low_threshold']:.4f} / {val['high_threshold']:.4f}  "
                f"validation {val['ham_to_spam']:.4f} {val['spam_approved']:.4f} "
                f"{val['review_share']:.4f}"
            )
    return means


def print_verdict(
    rows: list[dict[str, object]],
    means: dict[str, dict[str, float]],
    name: str,
    ref: str,
    what: str,
) -> None:
    """Print whether `name` sends at most half of `ref`'s review share at no more errors."""
    ok = all(
        r[name]["ham_to_spam"] <= r[ref]["ham_to_spam"] + 1e-12  # type: ignore[index]
        and r[name]["spam_approved"] <= r[ref]["spam_approved"] + 1e-12  # type: ignore[index]
        for r in rows
    )
    sb = means[ref]
    ok_mean = all(means[name][k] <= sb[k] + 1e-12 for k in ("ham_to_spam", "spam_approved"))
    review = means[name]["review_share"]
    verdict = "met" if ok and review <= sb["review_share"] / 2 else "MISSED"
    verdict_mean = "met" if ok_mean and review <= sb["review_share"] / 2 else "MISSED"
    print(
        f"target review <= half of {ref}'s ({sb['review_share'] / 2:.4f}) at equal or lower "
        f"error rates, {what}: review {review:.4f}, errors "
        f"{'<=' if ok else 'NOT <='} {ref}'s on every video -> {verdict}; "
        f"mean errors {'<=' if ok_mean else 'NOT <='} {ref}'s mean -> {verdict_mean}"
    )


def perturb(text: str, rng: random.Random) -> str:
    """Light, label-preserving noise: case, a swapped word pair, a dropped or doubled char."""
    words = text.split()
    if len(words) > 3 and rng.random() < 0.5:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    out = " ".join(words)
    if out and rng.random() < 0.5:
        i = rng.randrange(len(out))
        out = out[:i] + out[i] * rng.choice((0, 2)) + out[i + 1 :]
    return out.upper() if rng.random() < 0.05 else out


def ten_thousand(base: list[Example], seed: int) -> list[Example]:
    """Build 10,000 training comments: every base row once, then perturbed copies."""
    rng = random.Random(seed)
    out = list(base)
    while len(out) < 10_000:
        e = rng.choice(base)
        c = CommentInput(content=perturb(e.comment.content, rng), author_name=e.comment.author_name)
        out.append(Example(c, e.label, source=f"{e.source}-perturbed-{len(out) % 3}"))
    return out[:10_000]


RSS_PROBE = """
import resource, sys
sys.path.insert(0, {root!r})
from classifier.artifacts import load_model
from classifier.records import CommentInput
m = load_model({path!r})
m.score(CommentInput(content="warm up, check out my channel http://bit.ly/x"))
with open('/proc/self/status') as f:
    rss = [l for l in f if l.startswith('VmRSS')][0].split()[1]
print(int(rss) // 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def speed(seed: int) -> None:
    base = load_corpus(sorted(YOUTUBE.glob("*.csv")))
    if BOOTSTRAP.is_dir() and any(BOOTSTRAP.glob("*.csv")):
        base += load_corpus([BOOTSTRAP])
    data = ten_thousand(base, seed)
    start = time.perf_counter()
    model = train_model(data, seed=seed)
    train_s = time.perf_counter() - start
    comments = [e.comment for e in data]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.skops"
        save_model(model, path)
        size_mb = path.stat().st_size / 1e6
        model = load_model(path)
        probe = subprocess.run(
            [sys.executable, "-c", RSS_PROBE.format(root=str(ROOT), path=str(path))],
            capture_output=True,
            text=True,
            check=True,
        )
        rss_mb, peak_mb = (int(v) for v in probe.stdout.split())
    sample = comments[:: len(comments) // 500][:500]
    for c in sample[:20]:
        model.score(c)
    single = []
    for c in sample:
        t = time.perf_counter()
        model.score(c)
        single.append((time.perf_counter() - t) * 1000)
    # News-site comments run longer than YouTube's: two comments joined, as the intake
    # benchmark sends them.
    joined = [
        CommentInput(content=f"{a.content} {b.content}", author_name=a.author_name)
        for a, b in zip(sample, reversed(sample), strict=True)
    ]
    single_long = []
    for c in joined:
        t = time.perf_counter()
        model.score(c)
        single_long.append((time.perf_counter() - t) * 1000)
    chars = statistics.median(len(c.content) for c in sample)
    chars_long = statistics.median(len(c.content) for c in joined)
    single_prob = []
    for c in sample:
        t = time.perf_counter()
        model.score_many([c])
        single_prob.append((time.perf_counter() - t) * 1000)
    batch = comments[:4000]
    t = time.perf_counter()
    model.score_many(batch)
    rate = len(batch) / (time.perf_counter() - t)
    rows = [
        (
            f"score() with reasons, p50, {chars:.0f} chars (ms)",
            f"{statistics.median(single):.2f}",
            "< 2",
        ),
        (
            f"score() with reasons, p95, {chars:.0f} chars (ms)",
            f"{np.percentile(single, 95):.2f}",
            "",
        ),
        (
            f"score() with reasons, p50, {chars_long:.0f} chars (ms)",
            f"{statistics.median(single_long):.2f}",
            "< 2",
        ),
        (
            f"score() with reasons, p95, {chars_long:.0f} chars (ms)",
            f"{np.percentile(single_long, 95):.2f}",
            "",
        ),
        (
            "score_many([one]) probability only, p50 (ms)",
            f"{statistics.median(single_prob):.2f}",
            "",
        ),
        ("score_many batch throughput (comments/s)", f"{rate:.0f}", ">= 2000"),
        ("training on 10,000 comments (s)", f"{train_s:.1f}", "< 60"),
        ("artifact size (MB)", f"{size_mb:.2f}", "< 25"),
        ("RSS, process with the model loaded (MB)", str(rss_mb), "< 400"),
        ("peak RSS of that process (MB)", str(peak_mb), ""),
    ]
    print(f"\n## Speed and size (training set: {len(data)} comments from {len(base)} real ones)")
    print(f"{'figure':46} {'measured':>10} {'target':>10}")
    for name, value, target in rows:
        print(f"{name:46} {value:>10} {target:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip speed and size")
    parser.add_argument("--speed-only", action="store_true", help="only speed and size")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not YOUTUBE.is_dir():
        print(f"YouTube Spam Collection not found at {YOUTUBE}: nothing to benchmark")
        return
    if not args.speed_only:
        print_cross_video(cross_video(args.seed))
        generalisation(args.seed)
    if not args.quick:
        speed(args.seed)


if __name__ == "__main__":
    main()
