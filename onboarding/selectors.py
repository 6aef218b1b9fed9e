"""Reads of the guided setup: where each step stands, the certification-readiness figure (the gap
analysis's own figure, never computed a second way) and the questionnaire of the first gap analysis."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext, ngettext

from aims.permissions import administers, can, has_officer_rights, role_of
from controls.constants import ISO42001_KEY, RequirementKind
from controls.gap import _requirement_rows, _sections, readiness_overview
from controls.models import Requirement, RoadmapAction
from onboarding import library
from onboarding.models import DocumentTemplate, GapAnswer, SetupProgress
from registry.constants import EUTier
from registry.models import AISystem, InterestedParty, ScopeStatement


def may_run_setup(user, organisation) -> bool:
    """The guided setup is the organisation's set-up: its owner (who has just created it), its administrators
    and its AIMS officers run it. Other roles use the registers directly."""
    role = role_of(user, organisation)
    return administers(role) or has_officer_rights(role)


def may_instantiate(user, organisation) -> bool:
    """Whoever may draft policies, and whoever runs the guided setup (the administrator of a new organisation
    drafts its first documents; officers then carry them through review and approval)."""
    from controls.models import Policy

    return can(user, "add", Policy, organisation) or may_run_setup(user, organisation)


def certification_readiness(*, user, organisation):
    """ISO/IEC 42001 readiness exactly as the gap analysis page shows it (``controls.gap.readiness_overview``),
    or ``None`` when the catalogue is not loaded."""
    for result in readiness_overview(user=user, organisation=organisation):
        if result.framework.key == ISO42001_KEY and result.framework.organisation_id is None:
            return result
    return None


@dataclass
class Step:
    number: int
    key: str
    title: str
    url_name: str
    done: bool
    summary: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def setup_steps(*, user, organisation, readiness=None) -> list[Step]:
    """The five steps, each done when the records it asks for exist (never a tick box)."""
    scope = ScopeStatement.objects.filter(organisation=organisation).order_by("-version").first()
    parties = InterestedParty.objects.filter(organisation=organisation).count()
    systems = list(AISystem.objects.filter(organisation=organisation).values("in_scope", "eu_tier"))
    in_scope = [s for s in systems if s["in_scope"]]
    unclassified = sum(1 for s in in_scope if s["eu_tier"] == EUTier.UNCLASSIFIED)
    answered = GapAnswer.objects.filter(organisation=organisation).count()
    questions = len(readiness.items) + readiness.excluded if readiness is not None else 0
    progress = SetupProgress.objects.filter(organisation=organisation).first()
    actions = RoadmapAction.objects.filter(organisation=organisation).count()
    return [
        Step(
            1,
            "scope",
            gettext("Scope and context"),
            "onboarding:scope",
            bool(scope and scope.boundaries.strip() and parties),
            (gettext("Scope drafted") if scope else gettext("No scope yet"))
            + " · "
            + ngettext("%(count)d interested party", "%(count)d interested parties", parties) % {"count": parties},
        ),
        Step(
            2,
            "systems",
            gettext("First AI systems"),
            "onboarding:systems",
            bool(systems),
            ngettext("%(count)d AI system", "%(count)d AI systems", len(systems)) % {"count": len(systems)},
        ),
        Step(
            3,
            "classify",
            gettext("EU AI Act classification"),
            "onboarding:classify",
            bool(in_scope) and unclassified == 0,
            gettext("%(done)d of %(total)d in-scope systems classified")
            % {"done": len(in_scope) - unclassified, "total": len(in_scope)},
        ),
        Step(
            4,
            "gap",
            gettext("First gap analysis"),
            "onboarding:gap",
            bool(questions) and answered >= questions,
            gettext("%(done)d of %(total)d questions answered") % {"done": answered, "total": questions},
        ),
        Step(
            5,
            "roadmap",
            gettext("Roadmap"),
            "onboarding:roadmap",
            bool(progress and progress.roadmap_generated_at),
            ngettext("%(count)d roadmap action", "%(count)d roadmap actions", actions) % {"count": actions},
        ),
    ]


@dataclass
class Question:
    pk: object
    identifier: str
    title: str
    section: str
    annex: bool
    status: object = None  # the gap analysis's RequirementStatus; None when the SoA excludes it


def questionnaire(readiness) -> tuple[list[dict], list[Question]]:
    """Sections (clauses 4–10, Annex A groups) and every assessable ISO/IEC 42001 requirement, including those
    the SoA excludes, with the gap analysis's status of each."""
    framework = readiness.framework
    rows = list(_requirement_rows(Requirement.objects.filter(framework=framework)))
    sections = _sections(rows)
    status = {item.pk: item for item in readiness.items}
    questions, heads = [], {}
    for row in rows:
        if not row["assessable"] or row["withdrawn"]:
            continue
        section_id, section_title = sections[row["pk"]]
        heads.setdefault(section_id, {"identifier": section_id, "title": section_title, "count": 0})
        heads[section_id]["count"] += 1
        questions.append(
            Question(
                row["pk"],
                row["identifier"],
                row["title"],
                section_id,
                row["kind"] == RequirementKind.ANNEX_A_CONTROL,
                status.get(row["pk"]),
            )
        )
    return list(heads.values()), questions


def library_for(organisation) -> list[library.LibraryTemplate]:
    """The shipped templates, then the organisation's own."""
    own = [
        library.LibraryTemplate(
            key=t.key,
            title=t.title,
            kind=t.kind,
            summary=t.summary,
            body=t.body,
            requirements=tuple(r.identifier for r in t.requirements.all()),
            own_pk=t.pk,
        )
        for t in DocumentTemplate.objects.filter(organisation=organisation).prefetch_related("requirements")
    ]
    return [*library.shipped_templates(), *own]


def template_get(organisation, key: str) -> library.LibraryTemplate | None:
    if key.startswith("own-"):
        return next((t for t in library_for(organisation) if t.key == key), None)
    return library.shipped_template(key)
