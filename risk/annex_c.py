"""ISO/IEC 42001 Annex C pick-lists (objectives and risk sources), read from ``risk/data/annex_c.yaml``.

Reference data lives in the repository, versioned with the code; the database only stores the keys.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "annex_c.yaml"


@dataclass(frozen=True)
class AnnexCItem:
    key: str
    title: str
    description: str


@cache
def _load() -> dict:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def objectives() -> tuple[AnnexCItem, ...]:
    return tuple(AnnexCItem(**item) for item in _load()["objectives"])


@cache
def risk_sources() -> tuple[AnnexCItem, ...]:
    return tuple(AnnexCItem(**item) for item in _load()["risk_sources"])


def objective_choices() -> list[tuple[str, str]]:
    return [(item.key, item.title) for item in objectives()]


def risk_source_choices() -> list[tuple[str, str]]:
    return [(item.key, item.title) for item in risk_sources()]


def objective_title(key: str) -> str:
    return dict(objective_choices()).get(key, key)


def risk_source_title(key: str) -> str:
    return dict(risk_source_choices()).get(key, key)
