"""The holders governance registers for the documented-information index: the records of the inventory, risk,
controls and governance apps that hold each item. The audit items are left to the audits app.

Each holder runs one or two queries and returns ``Holding`` or None (missing).
"""

from django.db.models import Count, Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.docindex import Holding, register_holder


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _version(number) -> str:
    return f"v{number}" if number else ""


def scope_holding(organisation):
    from registry.constants import ScopeStatus
    from registry.models import ScopeStatement

    scopes = ScopeStatement.objects.filter(organisation=organisation).order_by("-version")
    approved = scopes.filter(status=ScopeStatus.APPROVED).first()
    if approved is not None:
        return Holding(
            _("AIMS scope"),
            _url("registry:scope-detail", approved.pk),
            _version(approved.version),
            approved.approved_at,
        )
    draft = scopes.filter(status=ScopeStatus.DRAFT).first()
    if draft is not None:
        return Holding(
            _("AIMS scope (draft)"),
            _url("registry:scope-detail", draft.pk),
            _version(draft.version),
            draft.updated_at,
            note=_("A draft exists; no version has been approved."),
            complete=False,
        )
    return None


def ai_policy_holding(organisation):
    from controls.constants import PolicyKind, PolicyStatus
    from controls.models import Policy

    policies = Policy.objects.filter(organisation=organisation, kind=PolicyKind.AI_POLICY)
    approved = policies.filter(status=PolicyStatus.APPROVED).order_by("-approved_at").first()
    if approved is not None:
        return Holding(str(approved), _policy_url(approved), _version(approved.version), approved.approved_at)
    draft = policies.filter(status__in=[PolicyStatus.DRAFT, PolicyStatus.IN_REVIEW]).order_by("-version").first()
    if draft is not None:
        return Holding(
            str(draft),
            _policy_url(draft),
            _version(draft.version),
            draft.updated_at,
            note=_("Drafted but not approved yet."),
            complete=False,
        )
    return None


def _policy_url(policy) -> str:
    return _url("controls:policy-detail", policy.pk)


def risk_criteria_holding(organisation):
    from risk.constants import CriteriaStatus
    from risk.models import RiskCriteria

    criteria = (
        RiskCriteria.objects.filter(organisation=organisation, status=CriteriaStatus.APPROVED)
        .order_by("-version")
        .first()
    )
    if criteria is None:
        return None
    return Holding(
        criteria.name, _url("risk:criteria-detail", criteria.pk), _version(criteria.version), criteria.approved_at
    )


def soa_holding(organisation):
    from controls.models import SoAVersion, StatementOfApplicability

    version = SoAVersion.objects.filter(organisation=organisation).order_by("-version").first()
    if version is not None:
        return Holding(
            _("Statement of Applicability"),
            _url("controls:soaversion-detail", version.pk) or _url("controls:soa"),
            _version(version.version),
            version.approved_at,
            note=_("%(applicable)s controls applicable, %(excluded)s excluded.")
            % {"applicable": version.applicable_count, "excluded": version.excluded_count},
        )
    soa = StatementOfApplicability.objects.filter(organisation=organisation).first()
    if soa is not None:
        return Holding(
            _("Statement of Applicability (draft)"),
            _url("controls:soa"),
            _version(soa.version),
            soa.updated_at,
            note=_("Being drafted; no version has been approved."),
            complete=False,
        )
    return None


def impact_process_holding(organisation):
    """A policy or procedure mapped to 6.1.4 if there is one, else the approved risk criteria (whose method the
    impact assessments follow)."""
    from controls.constants import PolicyStatus
    from controls.models import Policy

    policy = (
        Policy.objects.filter(organisation=organisation, status=PolicyStatus.APPROVED, requirements__identifier="6.1.4")
        .order_by("-approved_at")
        .first()
    )
    if policy is not None:
        return Holding(str(policy), _policy_url(policy), _version(policy.version), policy.approved_at)
    holding = risk_criteria_holding(organisation)
    if holding is None:
        return None
    return holding._replace(
        label=_("%(label)s (method section)") % {"label": holding.label},
        note=_("The impact assessment register follows the risk criteria; no procedure is mapped to 6.1.4."),
    )


def objectives_holding(organisation):
    from governance.constants import ObjectiveStatus
    from governance.models import Objective

    totals = Objective.objects.filter(organisation=organisation).aggregate(
        total=Count("id"),
        approved=Count("id", filter=~Q(status=ObjectiveStatus.DRAFT)),
        latest=Max("updated_at"),
    )
    if not totals["total"]:
        return None
    approved = totals["approved"]
    return Holding(
        ngettext(
            "%(count)d AI objective (%(approved)d approved)",
            "%(count)d AI objectives (%(approved)d approved)",
            totals["total"],
        )
        % {"count": totals["total"], "approved": approved},
        _url("governance:objective-list"),
        "",
        totals["latest"],
        complete=approved > 0,
        note="" if approved else _("No objective has been approved yet."),
    )


def competence_holding(organisation):
    from governance.models import TrainingRecord

    totals = TrainingRecord.objects.filter(organisation=organisation).aggregate(
        total=Count("id"), latest=Max("completed_on")
    )
    if not totals["total"]:
        return None
    return Holding(
        ngettext(
            "%(count)d training record and the competence matrix",
            "%(count)d training records and the competence matrix",
            totals["total"],
        )
        % {"count": totals["total"]},
        _url("governance:competence-matrix"),
        "",
        totals["latest"],
    )


def operational_control_holding(organisation):
    from controls.constants import ImplementationStatus
    from controls.models import Control

    totals = Control.objects.filter(organisation=organisation).aggregate(
        total=Count("id"),
        implemented=Count("id", filter=Q(implementation_status=ImplementationStatus.IMPLEMENTED)),
        latest=Max("updated_at"),
    )
    if not totals["total"]:
        return None
    return Holding(
        ngettext(
            "%(count)d control (%(implemented)d implemented)",
            "%(count)d controls (%(implemented)d implemented)",
            totals["total"],
        )
        % {"count": totals["total"], "implemented": totals["implemented"]},
        _url("controls:control-list"),
        "",
        totals["latest"],
        complete=totals["implemented"] > 0,
        note="" if totals["implemented"] else _("No control is implemented yet."),
    )


def risk_assessment_results_holding(organisation):
    from risk.constants import AssessmentStatus
    from risk.models import RiskAssessment

    assessment = (
        RiskAssessment.objects.filter(
            organisation=organisation, status__in=[AssessmentStatus.COMPLETED, AssessmentStatus.APPROVED]
        )
        .order_by("-assessment_date", "-reference")
        .first()
    )
    if assessment is None:
        return None
    return Holding(
        str(assessment),
        _url("risk:assessment-detail", assessment.pk),
        assessment.get_status_display(),
        assessment.assessment_date,
        note=_("The latest completed assessment; earlier ones are in the register."),
    )


def risk_treatment_results_holding(organisation):
    from risk.constants import ActionStatus
    from risk.models import TreatmentAction

    totals = TreatmentAction.objects.filter(organisation=organisation).aggregate(
        total=Count("id"), done=Count("id", filter=Q(status=ActionStatus.DONE)), latest=Max("completed_at")
    )
    if not totals["done"]:
        return None
    return Holding(
        ngettext(
            "%(done)d of %(count)d treatment action done",
            "%(done)d of %(count)d treatment actions done",
            totals["total"],
        )
        % {"done": totals["done"], "count": totals["total"]},
        _url("risk:treatmentaction-list") + "?status=done",
        "",
        totals["latest"],
    )


def impact_results_holding(organisation):
    from risk.constants import ImpactStatus
    from risk.models import ImpactAssessment

    totals = ImpactAssessment.objects.filter(organisation=organisation, status=ImpactStatus.APPROVED).aggregate(
        total=Count("id"), latest=Max("approved_at")
    )
    if not totals["total"]:
        return None
    return Holding(
        ngettext("%(count)d approved impact assessment", "%(count)d approved impact assessments", totals["total"])
        % {"count": totals["total"]},
        _url("risk:impact-list"),
        "",
        totals["latest"],
    )


def register_builtin_holders() -> None:
    register_holder("scope", scope_holding)
    register_holder("ai_policy", ai_policy_holding)
    register_holder("risk_process", risk_criteria_holding)
    register_holder("risk_treatment_soa", soa_holding)
    register_holder("impact_process", impact_process_holding)
    register_holder("objectives", objectives_holding)
    register_holder("competence", competence_holding)
    register_holder("operational_control", operational_control_holding)
    register_holder("risk_assessment_results", risk_assessment_results_holding)
    register_holder("risk_treatment_results", risk_treatment_results_holding)
    register_holder("impact_results", impact_results_holding)
