"""The sender's network: a hashed model input, so a site's model learns where spam comes from."""

from __future__ import annotations

from dataclasses import replace

import pytest

from classifier.datasets import Example
from classifier.explain import Explainer
from classifier.features import NETWORK, SIGNALS, comment_signals, network_of
from classifier.pipeline import prepare_comments
from classifier.records import CommentInput
from classifier.train import train_model


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        (" 198.51.100.4 ", "198.51.100.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:203.0.113.9", "203.0.113.0/24"),  # an IPv4 client seen through IPv6
        ("fe80::1%eth0", "fe80::/48"),
        ("not an ip", ""),
        ("203.0.113.300", ""),
        ("", ""),
    ],
)
def test_network_of(ip: str, network: str) -> None:
    assert network_of(ip) == network


def test_the_network_is_a_signal_with_the_span_of_the_ip() -> None:
    c = CommentInput(content="Merci pour l'article", author_ip="203.0.113.77")
    hit = comment_signals(c)[NETWORK]
    assert hit.message == "sender's network 203.0.113.0/24"
    assert [(s.field, s.start, s.end) for s in hit.spans] == [("author_ip", 0, 12)]
    assert NETWORK not in comment_signals(replace(c, author_ip=""))


def _site_examples(examples: list[Example]) -> list[Example]:
    """The fixture corpus as one site's labels: its spam from one network, its ham from others."""
    out = []
    for i, e in enumerate(examples):
        ip = f"198.51.100.{i % 250}" if e.label else f"203.0.{i % 200}.{i % 250}"
        out.append(replace(e, comment=replace(e.comment, author_ip=ip)))
    return out


def test_a_model_learns_the_network_its_spam_comes_from(examples: list[Example]) -> None:
    model = train_model(_site_examples(examples), seed=0)
    text = "Thanks for this, see you at the meeting tomorrow"
    from_spam_net = CommentInput(content=text, author_ip="198.51.100.251")
    from_elsewhere = CommentInput(content=text, author_ip="192.0.2.10")
    p_spam_net, p_elsewhere = model.score_many([from_spam_net, from_elsewhere])
    assert p_spam_net > p_elsewhere
    scored = model.score(from_spam_net)
    assert scored.probability == pytest.approx(p_spam_net)  # reasons path == batch path
    reason = next(r for r in scored.reasons if r.code == NETWORK)
    assert reason.message == "sender's network 198.51.100.0/24" and reason.weight > 0


def test_models_without_network_columns_still_score_comments_with_an_ip(
    examples: list[Example],
) -> None:
    """Models saved before the network columns existed read only the SIGNALS columns."""
    old = train_model(_site_examples(examples), seed=0, params={"network_buckets": 0})
    scale = old.pipeline.named_steps["features"].transformer_list[2][1].named_steps["scale"]
    assert scale.n_features_in_ == len(SIGNALS)
    c = CommentInput(content="Thanks for this", author_ip="198.51.100.7")
    assert old.score(c).probability == pytest.approx(old.score_many([c])[0])
    assert all(r.code != NETWORK for r in old.score(c).reasons)
    explainer = Explainer(old.pipeline)
    assert explainer.network_buckets == 0
    assert explainer.margins(prepare_comments([c])).shape == (1,)
