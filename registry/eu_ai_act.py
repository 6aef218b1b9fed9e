"""The EU AI Act reference data (registry/data/eu_ai_act.yaml), loaded once from the repository.

Reference data is versioned with the code and never edited in the database: the questionnaire, the
decision functions in ``registry.classification`` and the API all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "eu_ai_act.yaml"


@dataclass(frozen=True)
class Practice:
    key: str
    ref: str
    label: str
    summary: str


@dataclass(frozen=True)
class AnnexIAct:
    key: str
    section: str
    title: str


@dataclass(frozen=True)
class AnnexIIIPoint:
    id: str  # "4(a)"
    point: int
    area: str
    summary: str


@dataclass(frozen=True)
class DerogationCondition:
    key: str
    ref: str
    summary: str


@dataclass(frozen=True)
class TransparencyCase:
    key: str
    ref: str
    who: str
    label: str
    summary: str


@dataclass(frozen=True)
class Article:
    key: str  # "9", "6(4)", "102-109"
    title: str
    summary: str

    @property
    def label(self) -> str:
        return f"Arts {self.key}" if "-" in self.key else f"Art. {self.key}"


@dataclass(frozen=True)
class ApplicationDate:
    date: str
    basis: str
    pending: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Reference:
    version: int
    roles: dict[str, str]
    role_aliases: dict[str, str]
    practices: dict[str, Practice]
    annex_i_acts: dict[str, AnnexIAct]
    annex_i_section_titles: dict[str, str]
    annex_i_section_b_note: str
    annex_iii_areas: dict[int, str]
    annex_iii_points: dict[str, AnnexIIIPoint]
    derogation_conditions: dict[str, DerogationCondition]
    transparency_cases: dict[str, TransparencyCase]
    articles: dict[str, Article]
    dates: dict[str, ApplicationDate]
    amendment_status_note: str

    def article(self, key: str) -> Article:
        return self.articles[key]


def parse(raw: dict) -> Reference:
    """Build a :class:`Reference` from the YAML structure (kept separate so tests can feed variants)."""
    annex_iii_points = {
        item["id"]: AnnexIIIPoint(id=item["id"], point=area["point"], area=area["area"], summary=item["summary"])
        for area in raw["annex_iii"]
        for item in area["items"]
    }
    annex_i = raw["annex_i"]
    amendments = raw.get("amendments") or [{}]
    return Reference(
        version=raw["version"],
        roles=dict(raw["operator_roles"]),
        role_aliases=dict(raw.get("role_aliases") or {}),
        practices={
            p["key"]: Practice(p["key"], p["ref"], p["label"], p["summary"]) for p in raw["prohibited_practices"]
        },
        annex_i_acts={a["key"]: AnnexIAct(a["key"], a["section"], a["title"]) for a in annex_i["acts"]},
        annex_i_section_titles={"A": annex_i["section_a_title"], "B": annex_i["section_b_title"]},
        annex_i_section_b_note=annex_i["section_b_note"],
        annex_iii_areas={area["point"]: area["area"] for area in raw["annex_iii"]},
        annex_iii_points=annex_iii_points,
        derogation_conditions={
            c["key"]: DerogationCondition(c["key"], c["ref"], c["summary"]) for c in raw["derogation_conditions"]
        },
        transparency_cases={
            c["key"]: TransparencyCase(c["key"], c["ref"], c["who"], c["label"], c["summary"])
            for c in raw["art50_cases"]
        },
        articles={str(k): Article(str(k), v["title"], v["summary"]) for k, v in raw["articles"].items()},
        dates={
            k: ApplicationDate(str(v["date"]), v["basis"], v.get("pending"), v.get("note", ""))
            for k, v in raw["application_dates"].items()
        },
        amendment_status_note=" ".join(str(amendments[0].get("status_note", "")).split()),
    )


@cache
def reference() -> Reference:
    """The reference data of this release (read once per process)."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))


# Choices for forms and serializers ------------------------------------------------------------------


def practice_choices() -> list[tuple[str, str]]:
    return [(p.key, f"{p.ref} {p.label}") for p in reference().practices.values()]


def annex_i_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Annex I acts grouped by section (for a select with option groups)."""
    ref = reference()
    return [
        (title, [(a.key, a.title) for a in ref.annex_i_acts.values() if a.section == section])
        for section, title in ref.annex_i_section_titles.items()
    ]


def annex_iii_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Annex III points grouped by area: ("4. Employment, ...", [("4(a)", "4(a) Recruiting ..."), ...])."""
    ref = reference()
    return [
        (
            f"{number}. {area}",
            [(p.id, f"{p.id} {p.summary}") for p in ref.annex_iii_points.values() if p.point == number],
        )
        for number, area in ref.annex_iii_areas.items()
    ]


def derogation_choices() -> list[tuple[str, str]]:
    return [(c.key, f"({c.key}) {c.summary}") for c in reference().derogation_conditions.values()]


def transparency_choices() -> list[tuple[str, str]]:
    return [(c.key, c.label) for c in reference().transparency_cases.values()]
