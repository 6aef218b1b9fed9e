"""The sections of an evidence pack and of an AI system dossier, one selector per section.

Each ``gather_<section>(ctx)`` reads the AIMS as it was at ``ctx.as_of`` (``reports.asof``) within the systems
of ``ctx`` and returns the plain data its template (``reports/pdf/sections/<key>.html``) prints. The pack and the
dossier are lists of these sections (``PACK_SECTIONS``, ``DOSSIER_SECTIONS``), so both are built by the same code.

Anchors used for internal PDF links: ``ais-``, ``rsk-``, ``ctl-``, ``evd-``, ``soa-`` + the reference (or Annex A
identifier), slugified by ``anchor()``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy, ngettext

from audits.builtin_kpis import catalogue_text
from reports.asof import links, snapshot

CHANGE_PERIOD_DAYS = 365


def anchor(prefix: str, reference: str) -> str:
    return f"{prefix}-{slugify(str(reference)) or 'x'}"


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass
class PackContext:
    """What a build reads: the organisation, the moment, the frameworks and the systems covered."""

    organisation: object
    as_of: dt.datetime
    frameworks: list[str] = field(default_factory=lambda: ["iso42001"])
    system_ids: set | None = None  # None: every system in the AIMS scope
    dossier_system_id: object = None
    cache: dict = field(default_factory=dict)

    @property
    def as_of_date(self) -> dt.date:
        return timezone.localtime(self.as_of).date()

    def snap(self, model, *, select_related=(), **filters):
        """``model``'s rows as at ``as_of`` (history when the model keeps it, else by creation time)."""
        if hasattr(model, "history"):
            return snapshot(model, self.organisation, self.as_of, select_related=select_related, **filters)
        queryset = model.objects.filter(organisation=self.organisation, created_at__lte=self.as_of, **filters)
        return queryset.select_related(*select_related) if select_related else queryset

    def once(self, key: str, compute: Callable):
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    # Shared readings ----------------------------------------------------------------------------------------
    def systems(self) -> list:
        def compute():
            from registry.models import AISystem

            rows = self.snap(AISystem, select_related=("business_owner", "technical_owner")).order_by("reference")
            if self.system_ids is not None:
                rows = rows.filter(id__in=list(self.system_ids))
            else:
                rows = rows.filter(in_scope=True)
            return list(rows)

        return self.once("systems", compute)

    def system_id_set(self) -> set:
        return {s.id for s in self.systems()}

    def risks(self) -> list:
        """Risks of the systems covered, plus organisation-wide risks (linked to no system)."""

        def compute():
            from risk.models import Risk

            rows = list(self.snap(Risk, select_related=("owner", "accepted_by")).order_by("reference"))
            linked = links(Risk.ai_systems.through, "risk_id", "aisystem_id", [r.id for r in rows])
            covered = self.system_id_set()
            keep = []
            for risk in rows:
                systems = linked.get(risk.id, [])
                if (self.dossier_system_id is None and not systems) or covered.intersection(systems):
                    risk.system_ids = systems
                    keep.append(risk)
            return keep

        return self.once("risks", compute)

    def controls(self) -> list:
        def compute():
            from controls.models import Control

            rows = list(self.snap(Control, select_related=("owner",)).order_by("reference"))
            risk_ids = {r.id for r in self.risks()}
            on_risk = links(Control.risks.through, "control_id", "risk_id", [c.id for c in rows], risk_ids)
            if self.dossier_system_id is not None:
                on_system = links(Control.ai_systems.through, "control_id", "aisystem_id", [c.id for c in rows])
                rows = [c for c in rows if self.dossier_system_id in on_system.get(c.id, []) or on_risk.get(c.id)]
            for control in rows:
                control.risk_ids = on_risk.get(control.id, [])
            return rows

        return self.once("controls", compute)

    def evidence(self) -> list:
        """Evidence as at the date, each with the revision that was current then (``revision``)."""

        def compute():
            from controls.models import Evidence, EvidenceRevision
            from controls.models.evidence import evidence_state

            rows = list(self.snap(Evidence, select_related=("owner",)).order_by("reference"))
            control_ids = {c.id for c in self.controls()}
            by_evidence = links(
                Evidence.controls.through, "evidence_id", "control_id", [e.id for e in rows], control_ids
            )
            if self.dossier_system_id is not None:
                on_system = links(Evidence.ai_systems.through, "evidence_id", "aisystem_id", [e.id for e in rows])
                rows = [e for e in rows if by_evidence.get(e.id) or self.dossier_system_id in on_system.get(e.id, [])]
            revisions = {}
            for revision in (
                EvidenceRevision.objects.filter(evidence_id__in=[e.id for e in rows], created_at__lte=self.as_of)
                .order_by("evidence_id", "number")
                .iterator(chunk_size=2000)
            ):
                revisions[revision.evidence_id] = revision  # the highest number wins
            controls = {c.id: c for c in self.controls()}
            for item in rows:
                item.revision = revisions.get(item.id)
                item.control_refs = [controls[c] for c in by_evidence.get(item.id, []) if c in controls]
                item.state_at = evidence_state(
                    has_content=bool(item.revision or item.url),
                    effective=item.effective_date,
                    expiry=item.expiry_date,
                    review_status=item.review_status,
                    today=self.as_of_date,
                )
            return rows

        return self.once("evidence", compute)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    gather: Callable[[PackContext], dict]
    clause: str = ""

    @property
    def template(self) -> str:
        return f"reports/pdf/sections/{self.key}.html"

    @property
    def anchor(self) -> str:
        return f"sec-{self.key}"


# --- Clause 4: scope and context -------------------------------------------------------------------------------
def gather_scope(ctx: PackContext) -> dict:
    from registry.constants import ScopeStatus
    from registry.models import ContextIssue, InterestedParty, ScopeStatement

    scopes = list(ctx.snap(ScopeStatement, select_related=("approved_by",)).order_by("-version"))
    approved = [s for s in scopes if s.status == ScopeStatus.APPROVED]
    return {
        "scope": (approved or scopes or [None])[0],
        "issues": list(ctx.snap(ContextIssue).order_by("reference")),
        "parties": list(ctx.snap(InterestedParty).order_by("reference")),
        "systems_in_scope": len(ctx.systems()),
    }


# --- Clause 5: policy and roles --------------------------------------------------------------------------------
def gather_policy(ctx: PackContext) -> dict:
    from controls.constants import PolicyKind, PolicyStatus
    from controls.markdown import render_markdown
    from controls.models import Policy

    policies = list(ctx.snap(Policy, select_related=("approved_by", "owner")).order_by("reference", "-version"))
    ai = [p for p in policies if p.kind == PolicyKind.AI_POLICY]
    current = next((p for p in ai if p.status == PolicyStatus.APPROVED), ai[0] if ai else None)
    return {
        "ai_policy": current,
        "ai_policy_body": render_markdown(current.body) if current else "",
        "policies": policies,
    }


def gather_roles(ctx: PackContext) -> dict:
    from governance.models import AimsRole, RoleAssignment

    roles = list(ctx.snap(AimsRole).filter(is_active=True).order_by("reference"))
    day = ctx.as_of_date
    holders = defaultdict(list)
    for assignment in ctx.snap(RoleAssignment, select_related=("member",)).filter(start__lte=day):
        if assignment.end is None or assignment.end >= day:
            holders[assignment.role_id].append(person(assignment.member))
    for role in roles:
        role.holders = sorted(holders.get(role.id, []))
    return {"roles": roles}


# --- Clause 6.2 and 9.1: objectives and KPI trends -------------------------------------------------------------
def gather_objectives(ctx: PackContext) -> dict:
    from audits.charts import trend_chart_svg
    from audits.models import KPI, KPISnapshot
    from governance.models import Objective

    objectives = list(ctx.snap(Objective, select_related=("owner",)).order_by("reference"))
    kpis = list(ctx.snap(KPI).filter(is_active=True).order_by("reference"))
    since = ctx.as_of - dt.timedelta(days=365)
    points = defaultdict(list)
    for snap in (
        KPISnapshot.objects.filter(kpi_id__in=[k.id for k in kpis], taken_at__lte=ctx.as_of, taken_at__gt=since)
        .order_by("taken_at")
        .values_list("kpi_id", "taken_on", "value")
        .iterator(chunk_size=5000)
    ):
        points[snap[0]].append((snap[1], snap[2]))
    for kpi in kpis:
        # Historical rows: the built-in KPI names are translated here (the model's property is not on them).
        kpi.display_name = catalogue_text(kpi.name)
        series = points.get(kpi.id, [])
        kpi.latest = series[-1][1] if series else None
        kpi.chart = trend_chart_svg(
            series,
            direction=kpi.direction,
            unit=kpi.unit,
            target=kpi.target,
            amber=kpi.amber_threshold,
            red=kpi.red_threshold,
            title=f"{kpi.reference} {kpi.display_name}",
            id_prefix=f"pdf-{kpi.reference}",
            width=640,
            height=200,
        )
    return {"objectives": objectives, "kpis": kpis}


# --- Clause 4 / A.4, A.6: the AI system inventory ---------------------------------------------------------------
def gather_inventory(ctx: PackContext) -> dict:
    from registry.models import Classification

    systems = ctx.systems()
    latest = {}
    rows = ctx.snap(Classification).filter(ai_system_id__in=[s.id for s in systems]).order_by("created_at")
    for classification in rows.iterator(chunk_size=2000):
        latest[classification.ai_system_id] = classification
    for system in systems:
        system.classification_at = latest.get(system.id)
        system.anchor = anchor("ais", system.reference)
    tiers = Counter(s.get_eu_tier_display() for s in systems)
    return {"systems": systems, "tiers": sorted(tiers.items())}


# --- Clause 6.1, 8.2, 8.3: risk criteria, heat maps, register ---------------------------------------------------
def gather_risk(ctx: PackContext) -> dict:
    from risk.charts import heat_map_svg
    from risk.constants import CriteriaStatus
    from risk.models import RiskCriteria, TreatmentAction
    from risk.selectors import criteria_for_display

    versions = list(ctx.snap(RiskCriteria).order_by("-version"))
    approved = [c for c in versions if c.status == CriteriaStatus.APPROVED]
    criteria = (approved or versions or [None])[0]
    criteria = criteria.instance if criteria is not None else None  # the model's methods (scales, labels)
    shown = criteria or criteria_for_display(ctx.organisation)
    risks = ctx.risks()
    inherent, residual = Counter(), Counter()
    for risk in risks:
        risk.anchor = anchor("rsk", risk.reference)
        if risk.inherent_likelihood and risk.inherent_impact:
            inherent[(risk.inherent_likelihood, risk.inherent_impact)] += 1
        if risk.residual_likelihood and risk.residual_impact:
            residual[(risk.residual_likelihood, risk.residual_impact)] += 1
    actions = defaultdict(list)
    for action in ctx.snap(TreatmentAction, select_related=("owner",)).filter(risk_id__in=[r.id for r in risks]):
        actions[action.risk_id].append(action)
    for risk in risks:
        risk.action_list = sorted(actions.get(risk.id, []), key=lambda a: a.reference)
    heat = {}
    for kind, counts in (("inherent", inherent), ("residual", residual)):
        heat[kind] = heat_map_svg(
            criteria=shown, counts=dict(counts), kind=kind, base_url=None, id_prefix=f"pdf-heat-{kind}"
        )
    matrix_rows = (
        [
            {
                "label": shown.likelihood_label(lk),
                "cells": [
                    shown.matrix.get(f"{lk},{im}", shown.matrix.get(f"{lk}-{im}", ""))
                    for im in range(1, shown.n_impact + 1)
                ],
            }
            for lk in range(shown.n_likelihood, 0, -1)
        ]
        if isinstance(shown.matrix, dict)
        else []
    )
    return {
        "criteria": criteria,
        "shown_criteria": shown,
        "impact_labels": [shown.impact_label(i) for i in range(1, shown.n_impact + 1)],
        "matrix_rows": matrix_rows,
        "risks": risks,
        "accepted": [r for r in risks if r.accepted_at and r.accepted_at <= ctx.as_of],
        "heat_inherent": heat["inherent"],
        "heat_residual": heat["residual"],
    }


# --- Clause 6.1.4, 8.4: impact assessments -----------------------------------------------------------------------
def gather_impact(ctx: PackContext) -> dict:
    from risk.models import ImpactArea, ImpactAssessment

    systems = {s.id: s for s in ctx.systems()}
    assessments = list(
        ctx.snap(ImpactAssessment, select_related=("owner",))
        .filter(ai_system_id__in=list(systems))
        .order_by("reference", "-version")
    )
    areas = defaultdict(list)
    for area in ctx.snap(ImpactArea).filter(impact_assessment_id__in=[a.id for a in assessments]).order_by("area"):
        areas[area.impact_assessment_id].append(area)
    for assessment in assessments:
        assessment.system = systems.get(assessment.ai_system_id)
        assessment.area_list = areas.get(assessment.id, [])
    return {"assessments": assessments}


# --- Clause 6.1.3: Statement of Applicability -------------------------------------------------------------------
def gather_soa(ctx: PackContext) -> dict:
    from controls.models import Control, SoALine, StatementOfApplicability

    soa = ctx.snap(StatementOfApplicability, select_related=("approved_by",)).first()
    if soa is None:
        return {"soa": None, "lines": []}
    lines = list(
        ctx.snap(SoALine, select_related=("requirement", "owner"))
        .filter(soa_id=soa.id)
        .order_by("requirement__sort_order")
    )
    controls = {c.id: c for c in ctx.controls()}
    risks = {r.id: r for r in ctx.risks()}
    requirement_ids = {line.requirement_id for line in lines}
    by_requirement = defaultdict(list)
    rows = Control.requirements.through.objects.filter(
        requirement_id__in=list(requirement_ids), control_id__in=list(controls)
    ).values_list("requirement_id", "control_id")
    for requirement_id, control_id in rows:
        by_requirement[requirement_id].append(controls[control_id])
    line_risks = links(SoALine.risks.through, "soaline_id", "risk_id", [line.id for line in lines], set(risks))
    evidence_by_control = defaultdict(list)
    for item in ctx.evidence():
        for control in item.control_refs:
            evidence_by_control[control.id].append(item)
    for line in lines:
        line.anchor = anchor("soa", line.requirement.identifier)
        line.control_list = sorted(by_requirement.get(line.requirement_id, []), key=lambda c: c.reference)
        risk_map = {risks[r].reference: risks[r] for r in line_risks.get(line.id, [])}
        for control in line.control_list:
            for risk_id in getattr(control, "risk_ids", []):
                if risk_id in risks:
                    risk_map.setdefault(risks[risk_id].reference, risks[risk_id])
        line.risk_list = [risk_map[k] for k in sorted(risk_map)]
        evidence = {e.reference: e for c in line.control_list for e in evidence_by_control.get(c.id, [])}
        line.evidence_list = [evidence[k] for k in sorted(evidence)]
    applicable = sum(1 for line in lines if line.applicable is True)
    excluded = sum(1 for line in lines if line.applicable is False)
    return {
        "soa": soa,
        "lines": lines,
        "applicable": applicable,
        "excluded": excluded,
        "undecided": len(lines) - applicable - excluded,
    }


# --- Clause 8.1: controls and the evidence index ----------------------------------------------------------------
def _framework_requirements(ctx: PackContext) -> dict:
    """``{control id: [requirement identifier, ...]}`` in the frameworks the pack covers."""
    from controls.models import Control

    result = defaultdict(list)
    rows = (
        Control.requirements.through.objects.filter(
            control_id__in=[c.id for c in ctx.controls()], requirement__framework__key__in=ctx.frameworks
        )
        .order_by("requirement__framework__key", "requirement__sort_order")
        .values_list("control_id", "requirement__framework__key", "requirement__identifier")
    )
    for control_id, key, identifier in rows.iterator(chunk_size=5000):
        result[control_id].append((key, identifier))
    return result


def gather_controls(ctx: PackContext) -> dict:
    controls = ctx.controls()
    risks = {r.id: r for r in ctx.risks()}
    requirements = _framework_requirements(ctx)
    evidence_by_control = defaultdict(list)
    evidence = ctx.evidence()
    for item in evidence:
        item.anchor = anchor("evd", item.reference)
        for control in item.control_refs:
            evidence_by_control[control.id].append(item)
    for control in controls:
        control.anchor = anchor("ctl", control.reference)
        control.risk_list = [risks[r] for r in control.risk_ids]
        control.requirement_list = requirements.get(control.id, [])
        control.evidence_list = evidence_by_control.get(control.id, [])
    return {"controls": controls, "evidence": evidence}


def gather_frameworks(ctx: PackContext) -> dict:
    """For each optional framework: its requirements and the controls that implement them, as at the date."""
    from controls.models import Control, Framework, Requirement

    controls = {c.id: c for c in ctx.controls()}
    frameworks = []
    for key in ctx.frameworks:
        if key == "iso42001":
            continue
        framework = (
            Framework.objects.filter(key=key)
            .filter(Q(organisation__isnull=True) | Q(organisation=ctx.organisation))
            .order_by("organisation")
            .first()
        )
        if framework is None:
            continue
        requirements = list(
            Requirement.objects.filter(framework=framework, assessable=True, withdrawn=False).order_by("sort_order")
        )
        implementing = defaultdict(list)
        rows = Control.requirements.through.objects.filter(
            requirement_id__in=[r.id for r in requirements], control_id__in=list(controls)
        ).values_list("requirement_id", "control_id")
        for requirement_id, control_id in rows:
            implementing[requirement_id].append(controls[control_id])
        for requirement in requirements:
            requirement.control_list = sorted(implementing.get(requirement.id, []), key=lambda c: c.reference)
        covered = sum(1 for r in requirements if r.control_list)
        frameworks.append({"framework": framework, "requirements": requirements, "covered": covered})
    return {"frameworks": frameworks}


# --- Clause 9.2, 10: audits, nonconformities, corrective actions ------------------------------------------------
def gather_audits(ctx: PackContext) -> dict:
    from audits.models import Audit, CorrectiveAction, Finding, Nonconformity

    audits = list(ctx.snap(Audit).order_by("-planned_start", "reference"))
    findings = defaultdict(list)
    for finding in ctx.snap(Finding, select_related=("requirement",)).order_by("reference"):
        findings[finding.audit_id].append(finding)
    for audit in audits:
        audit.finding_list = findings.get(audit.id, [])
    ncs = list(ctx.snap(Nonconformity, select_related=("owner", "requirement")).order_by("reference"))
    actions = defaultdict(list)
    for action in ctx.snap(CorrectiveAction, select_related=("owner",)).order_by("reference"):
        actions[action.nonconformity_id].append(action)
    for nc in ncs:
        nc.action_list = actions.get(nc.id, [])
    return {"audits": audits, "nonconformities": ncs}


# --- Clause 9.3: management review --------------------------------------------------------------------------------
def gather_review(ctx: PackContext) -> dict:
    from audits.models import ManagementReview, ReviewAction, ReviewDecision

    reviews = list(ctx.snap(ManagementReview, select_related=("chair",)).order_by("-planned_date"))
    # The compiled inputs are frozen on the review (not kept in its history): shown when compiled by the date.
    frozen = dict(
        ManagementReview.objects.filter(id__in=[r.id for r in reviews], inputs_compiled_at__lte=ctx.as_of).values_list(
            "id", "inputs"
        )
    )
    decisions = defaultdict(list)
    for decision in ctx.snap(ReviewDecision).order_by("created_at"):
        decisions[decision.review_id].append(decision)
    actions = defaultdict(list)
    for action in ctx.snap(ReviewAction, select_related=("owner",)).order_by("reference"):
        actions[action.decision_id].append(action)
    for review in reviews:
        review.input_items = _input_items(frozen.get(review.id) or {})
        review.decision_list = decisions.get(review.id, [])
        for decision in review.decision_list:
            decision.action_list = actions.get(decision.id, [])
    return {"reviews": reviews}


def _input_items(inputs: dict) -> list[tuple[str, str]]:
    """The frozen inputs as (heading, text) pairs, whatever their shape."""
    items = []
    for key, value in (inputs or {}).items():
        heading = str(key).replace("_", " ").capitalize()
        if isinstance(value, dict):
            text = (
                value.get("summary")
                or value.get("text")
                or "; ".join(f"{k}: {v}" for k, v in value.items() if not isinstance(v, list | dict))
            )
            heading = value.get("title", heading)
        elif isinstance(value, list):
            text = ngettext("%(count)d item", "%(count)d items", len(value)) % {"count": len(value)}
        else:
            text = str(value)
        items.append((heading, text))
    return items


# --- Incidents ---------------------------------------------------------------------------------------------------------
def gather_incidents(ctx: PackContext) -> dict:
    from audits.models import Incident

    rows = list(
        ctx.snap(Incident, select_related=("owner",)).filter(detected_at__lte=ctx.as_of).order_by("-detected_at")
    )
    linked = links(Incident.ai_systems.through, "incident_id", "aisystem_id", [i.id for i in rows])
    systems = {s.id: s for s in ctx.systems()}
    keep = []
    for incident in rows:
        ids = linked.get(incident.id, [])
        if (ctx.dossier_system_id is None and not ids) or set(ids) & set(systems):
            incident.system_list = [systems[i] for i in ids if i in systems]
            keep.append(incident)
    return {"incidents": keep}


# --- Change history for the period -------------------------------------------------------------------------------
_HISTORY_APPS = ("registry", "risk", "controls", "governance", "audits")
_TYPE_LABELS = {"+": "created", "~": "changed", "-": "deleted"}


def _history_models():
    for model in apps.get_models():
        if model._meta.app_label in _HISTORY_APPS and hasattr(model, "history") and hasattr(model, "organisation"):
            yield model


def gather_history(ctx: PackContext) -> dict:
    start = ctx.as_of - dt.timedelta(days=CHANGE_PERIOD_DAYS)
    summary, recent = [], []
    for model in _history_models():
        history = model.history.model
        rows = history.objects.filter(
            organisation_id=ctx.organisation.pk, history_date__gt=start, history_date__lte=ctx.as_of
        )
        if ctx.dossier_system_id is not None:
            if model._meta.label_lower != "registry.aisystem" and not hasattr(history, "ai_system_id"):
                continue
            key = "id" if model._meta.label_lower == "registry.aisystem" else "ai_system_id"
            rows = rows.filter(**{key: ctx.dossier_system_id})
        counts = dict(rows.order_by().values_list("history_type").annotate(n=Count("history_id")))
        if counts:
            summary.append(
                {
                    "label": str(model._meta.verbose_name_plural).capitalize(),
                    "created": counts.get("+", 0),
                    "changed": counts.get("~", 0),
                    "deleted": counts.get("-", 0),
                }
            )
        for row in rows.select_related("history_user").order_by("-history_date")[:15]:
            recent.append(
                {
                    "when": row.history_date,
                    "who": person(row.history_user) or "system",
                    "what": str(model._meta.verbose_name).capitalize(),
                    "reference": getattr(row, "reference", "") or "",
                    "type": _TYPE_LABELS.get(row.history_type, row.history_type),
                    "reason": row.history_change_reason or "",
                }
            )
    recent.sort(key=lambda r: r["when"], reverse=True)
    summary.sort(key=lambda r: r["label"])
    return {
        "period_start": start,
        "summary": summary,
        "total": sum(r["created"] + r["changed"] + r["deleted"] for r in summary),
        "recent": recent[:40],
    }


# --- Documented information (clause 7.5) -------------------------------------------------------------------------
# Where in the pack each kind of documented information is found.
DOC_SECTIONS = {
    "scope": "scope",
    "ai_policy": "policy",
    "risk_process": "risk",
    "risk_treatment_soa": "soa",
    "impact_process": "impact",
    "objectives": "objectives",
    "competence": "roles",
    "operational_control": "controls",
    "risk_assessment_results": "risk",
    "risk_treatment_results": "risk",
    "impact_results": "impact",
    "monitoring_results": "objectives",
    "audit_programme": "audits",
    "management_review": "review",
    "nonconformities": "audits",
}


def gather_docindex(ctx: PackContext) -> dict:
    from governance.docindex import item_specs

    titles = {s.key: s.title for s in PACK_SECTIONS}
    items = [
        {
            # The data file is in English; its titles are in the catalogue (governance/docindex_messages.py).
            "title": gettext(spec.title),
            "clause": spec.clause,
            "section": titles.get(DOC_SECTIONS.get(spec.id, ""), ""),
            "anchor": f"sec-{DOC_SECTIONS[spec.id]}" if spec.id in DOC_SECTIONS else "",
        }
        for spec in item_specs()
    ]
    return {"items": items}


# --- Dossier-only sections ---------------------------------------------------------------------------------------
def gather_system(ctx: PackContext) -> dict:
    """The system's description, classification, data, models and metrics."""
    from registry.models import Classification, DatasetUsage, ModelMetric, ModelVersion

    inventory = gather_inventory(ctx)
    system = inventory["systems"][0] if inventory["systems"] else None
    if system is None:
        return {"system": None}
    classification = (
        ctx.snap(Classification, select_related=("classified_by",))
        .filter(ai_system_id=system.id)
        .order_by("-created_at")
        .first()
    )
    usages = list(ctx.snap(DatasetUsage, select_related=("dataset",)).filter(ai_system_id=system.id))
    version_ids = set(
        ModelVersion.deployed_in.through.objects.filter(aisystem_id=system.id).values_list("modelversion_id", flat=True)
    )
    versions = list(ctx.snap(ModelVersion, select_related=("model", "approved_by")).filter(id__in=list(version_ids)))
    metrics = defaultdict(list)
    for metric in ctx.snap(ModelMetric).filter(model_version_id__in=[v.id for v in versions]).order_by("name"):
        metrics[metric.model_version_id].append(metric)
    for version in versions:
        version.metric_list = metrics.get(version.id, [])
    return {"system": system, "classification": classification, "usages": usages, "versions": versions}


PACK_SECTIONS: tuple[Section, ...] = (
    Section("scope", gettext_lazy("Scope and context of the AIMS"), gather_scope, "4.1–4.3"),
    Section("policy", gettext_lazy("AI policy and its approval"), gather_policy, "5.2"),
    Section("roles", gettext_lazy("Roles, responsibilities and authorities"), gather_roles, "5.3"),
    Section("objectives", gettext_lazy("AI objectives and KPI trends"), gather_objectives, "6.2, 9.1"),
    Section(
        "inventory", gettext_lazy("AI system inventory and EU AI Act classification"), gather_inventory, "A.4, A.6"
    ),
    Section("risk", gettext_lazy("Risk criteria, heat maps and risk register"), gather_risk, "6.1, 8.2, 8.3"),
    Section("impact", gettext_lazy("AI system impact assessments"), gather_impact, "6.1.4, 8.4"),
    Section("soa", gettext_lazy("Statement of Applicability"), gather_soa, "6.1.3"),
    Section("controls", gettext_lazy("Controls and evidence index"), gather_controls, "8.1"),
    Section("frameworks", gettext_lazy("Other frameworks covered"), gather_frameworks, ""),
    Section(
        "audits", gettext_lazy("Internal audits, nonconformities and corrective actions"), gather_audits, "9.2, 10.2"
    ),
    Section("review", gettext_lazy("Management review: inputs and decisions"), gather_review, "9.3"),
    Section("incidents", gettext_lazy("AI incidents"), gather_incidents, "A.8.4"),
    Section("history", gettext_lazy("Change history for the period"), gather_history, "7.5.3"),
    Section("docindex", gettext_lazy("Documented-information index"), gather_docindex, "7.5"),
)

DOSSIER_SECTIONS: tuple[Section, ...] = (
    Section(
        "system", gettext_lazy("The AI system: purpose, classification, data and models"), gather_system, "A.6.2.7"
    ),
    Section("risk", gettext_lazy("Risks"), gather_risk, "6.1, 8.2"),
    Section("impact", gettext_lazy("Impact assessment"), gather_impact, "A.5"),
    Section("controls", gettext_lazy("Controls and evidence"), gather_controls, "8.1"),
    Section("incidents", gettext_lazy("Incidents"), gather_incidents, "A.8.4"),
    Section("history", gettext_lazy("History of the system"), gather_history, "7.5.3"),
)
