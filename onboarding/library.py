"""The library of starter documents: Markdown files under ``onboarding/data/templates/`` with a front matter
(title, kind, summary, the ISO/IEC 42001 requirements it serves), plus the templates an organisation added.

Texts are our own words. Placeholders ``{{ organisation }}``, ``{{ owner }}``, ``{{ scope }}`` and
``{{ date }}`` are filled when a template is instantiated (plain replacement, never a template engine: a
template body is data, not code).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

TEMPLATE_DIR = Path(__file__).resolve().parent / "data" / "templates"
PLACEHOLDERS = ("organisation", "owner", "scope", "date")


@dataclass(frozen=True)
class LibraryTemplate:
    key: str
    title: str
    kind: str
    summary: str
    body: str
    requirements: tuple[str, ...] = field(default_factory=tuple)
    own_pk: object = None  # set for an organisation's own template

    @property
    def shipped(self) -> bool:
        return self.own_pk is None


def parse(text: str, key: str) -> LibraryTemplate:
    """Split ``---`` front matter from the Markdown body."""
    if not text.startswith("---\n"):
        raise ValueError(f"{key}: the template has no front matter")
    head, _, body = text[4:].partition("\n---\n")
    meta = yaml.safe_load(head) or {}
    return LibraryTemplate(
        key=key,
        title=str(meta["title"]),
        kind=str(meta.get("kind", "topic")),
        summary=str(meta.get("summary", "")),
        body=body.lstrip("\n"),
        requirements=tuple(str(r) for r in meta.get("requirements", [])),
    )


@functools.cache
def shipped_templates() -> tuple[LibraryTemplate, ...]:
    return tuple(parse(path.read_text(encoding="utf-8"), path.stem) for path in sorted(TEMPLATE_DIR.glob("*.md")))


def shipped_template(key: str) -> LibraryTemplate | None:
    return next((t for t in shipped_templates() if t.key == key), None)


def fill(body: str, values: dict[str, str]) -> str:
    for name in PLACEHOLDERS:
        body = body.replace("{{ " + name + " }}", values.get(name, "")).replace(
            "{{" + name + "}}", values.get(name, "")
        )
    return body
