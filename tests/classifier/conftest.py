"""Shared fixtures: the tiny corpora and one model trained on them (once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import SpamModel
from classifier.datasets import Example, load_file
from classifier.train import train_model

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def examples() -> list[Example]:
    return load_file(FIXTURES / "comments.csv")


@pytest.fixture(scope="session")
def tiny_model(examples: list[Example]) -> SpamModel:
    return train_model(examples, seed=0)
