"""Every change the guided setup and the template library make. Each step writes real records through the
services of the app that owns them (registry, controls, accounts); this module only decides *what* to write
from the setup's answers, and remembers those answers so the setup can be resumed and re-answered.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.models import User
from aims.services import ServiceError, create_record, delete_with_history, save_with_history, update_record
from controls import services as controls_services
from controls.constants import (
    ISO42001_KEY,
    ControlType,
    ExclusionReason,
    ImplementationStatus,
    PolicyKind,
    RequirementKind,
    RoadmapPhase,
)
from controls.gap import OrganisationStatus, framework_readiness
from controls.models import Framework, Policy, Requirement, RoadmapAction, SoALine
from controls.selectors_roadmap import ranked_gaps
from onboarding import library
from onboarding.models import DocumentTemplate, GapAnswer, SetupProgress
from registry.models import AISystem, ScopeStatement
from risk.constants import RiskStatus
from risk.models import Risk

ANSWER_STATUS = {
    GapAnswer.Answer.YES: ImplementationStatus.IMPLEMENTED,
    GapAnswer.Answer.PARTLY: ImplementationStatus.PARTIAL,
    GapAnswer.Answer.NO: ImplementationStatus.PLANNED,
    GapAnswer.Answer.NOT_APPLICABLE: ImplementationStatus.NOT_APPLICABLE,
}
# Phase ends, in days from the roadmap's start (controls.constants.RoadmapPhase: 0–3, 3–6, 6–12 months).
PHASE_DAYS = {RoadmapPhase.FOUNDATIONS: 90, RoadmapPhase.BUILD: 180, RoadmapPhase.OPERATE: 365}
FOUNDATION_SECTIONS = ("4", "5", "6")
OPERATE_SECTIONS = ("9", "10")
URGENT_LEVELS = ("high", "critical")


# --- Organisations -------------------------------------------------------------------------------------


@transaction.atomic
def organisation_sign_up(*, actor: User, name: str, slug: str = "", time_zone: str = "UTC", administrator=None):
    """Create an organisation from the UI. A signed-in user becomes its owner; a site administrator
    (``is_superuser``) may name another user as administrator instead. The setup record starts with it."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Give the organisation a name."), field="name")
    from django.utils.text import slugify

    from accounts.models import Organisation

    slug = slugify(slug or name)[:80]
    if not slug:
        raise ServiceError(_("Choose an address made of letters, digits and hyphens."), field="slug")
    if Organisation.objects.filter(slug=slug).exists():
        raise ServiceError(_("This address is taken; choose another."), field="slug")
    creator = actor
    if administrator is not None and administrator != actor:
        if not actor.is_superuser:
            raise ServiceError(
                _("Only site administrators create organisations for someone else."), field="administrator"
            )
        creator = administrator
    try:
        organisation = accounts_services.organisation_create(
            name=name[:200], creator=creator, slug=slug, time_zone=time_zone or "UTC"
        )
    except ServiceError:
        raise
    except Exception as exc:  # a model check (time zone) fails in full_clean
        from django.core.exceptions import ValidationError

        if isinstance(exc, ValidationError):
            raise ServiceError(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}) from exc
        raise
    setup_progress(organisation, actor=actor)
    return organisation


def _free_slug(name: str) -> str:
    """An unused address for a new organisation: its name's slug, numbered when taken."""
    from django.utils.text import slugify

    from accounts.models import Organisation

    base = slugify(name)[:72] or "organisation"
    slug, number = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def sign_up(*, full_name: str, email: str, username: str, password: str, organisation_name: str):
    """A new person and their new organisation in one transaction: the account, the organisation (its address
    from its name, numbered when taken) and the person as its owner, with the setup record. The form has
    already checked the password against the validators; this refuses a taken username or email (the
    database decides, under the same transaction). Returns ``(user, organisation)``."""
    username = (username or "").strip()
    email = (email or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(_("This username is taken; choose another."), field="username")
    if email and User.objects.filter(email__iexact=email).exists():
        raise ServiceError(
            _("An account with this email address exists already: sign in, or reset its password."), field="email"
        )
    name = (organisation_name or "").strip()
    if not name:
        raise ServiceError(_("Give the organisation a name."), field="organisation_name")
    first, _space, last = (full_name or "").strip().partition(" ")
    user = User(username=username, email=email, first_name=first[:150], last_name=last.strip()[:150])
    user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as exc:
        raise ServiceError(exc.message_dict) from exc
    user.save()
    try:
        organisation = organisation_sign_up(actor=user, name=name, slug=_free_slug(name))
    except ServiceError as exc:
        # The form names the organisation's field differently; every other error is the service's own.
        if "name" in getattr(exc, "error_dict", {}):
            raise ServiceError(exc.message_dict["name"][0], field="organisation_name") from exc
        raise
    return user, organisation


def setup_progress(organisation, *, actor=None) -> SetupProgress:
    """The organisation's setup record, created on first use."""
    progress = SetupProgress.objects.filter(organisation=organisation).first()
    if progress is None:
        progress = SetupProgress(organisation=organisation)
        save_with_history(progress, actor=actor, reason="Guided setup started")
    return progress


# --- Step 1: scope and context (clauses 4.1–4.3) --------------------------------------------------------


@transaction.atomic
def scope_save(*, actor, organisation, data: dict) -> ScopeStatement:
    """Write the scope texts to the current draft, or start a draft (an approved scope is never edited)."""
    from registry import services as registry_services

    values = {name: data.get(name, "") for name in ("boundaries", "units", "ai_roles", "locations")}
    draft = ScopeStatement.objects.filter(organisation=organisation, status="draft").order_by("-version").first()
    if draft is None:
        return registry_services.scope_draft_create(actor=actor, organisation=organisation, data=values)
    return registry_services.scope_update(actor=actor, scope=draft, data=values, reason="Edited in the guided setup")


# --- Step 4: the first gap analysis ---------------------------------------------------------------------


def iso42001() -> Framework | None:
    return Framework.objects.filter(key=ISO42001_KEY, organisation__isnull=True).first()


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://")) and " " not in text and len(text) <= 500


@transaction.atomic
def gap_answer_save(
    *, actor, organisation, requirement: Requirement, answer: str, evidence_note: str = ""
) -> GapAnswer:
    """Record one answer and bring its records in line: a control for the requirement (status from the
    answer), the SoA line of an Annex A control (applicable, or excluded with the note as justification),
    and an evidence record (the link given, or a placeholder saying where the evidence is)."""
    if answer not in GapAnswer.Answer.values:
        raise ServiceError(_("Choose an answer."), field="answer")
    framework = iso42001()
    if framework is None or requirement.framework_id != framework.pk or not requirement.assessable:
        raise ServiceError(_("Answer the questions of ISO/IEC 42001 only."), field="requirement")
    annex = requirement.kind == RequirementKind.ANNEX_A_CONTROL
    note = (evidence_note or "").strip()[:2000]
    if answer == GapAnswer.Answer.NOT_APPLICABLE:
        if not annex:
            raise ServiceError(
                _("Every clause of the standard applies; only Annex A controls can be excluded."), field="answer"
            )
        if not note:
            raise ServiceError(
                _("Say why the control is not needed here: the SoA must justify it."), field="evidence_note"
            )
    record = GapAnswer.objects.select_for_update().filter(organisation=organisation, requirement=requirement).first()
    if record is None:
        record = GapAnswer(organisation=organisation, requirement=requirement)
    label = f"{requirement.identifier} {requirement.title}"
    status = ANSWER_STATUS[answer]

    control = record.control
    if control is None and answer != GapAnswer.Answer.NOT_APPLICABLE:
        control = controls_services.control_create(
            actor=actor,
            organisation=organisation,
            data={
                "title": label[:200],
                "description": "Drafted from the guided gap analysis. Describe how the organisation meets "
                f"{requirement.identifier}: who does what, when, and what record it leaves.",
                "implementation_status": status,
                "control_type": ControlType.ORGANISATIONAL if annex else ControlType.PROCESS,
                "requirements": [requirement],
            },
        )
    elif control is not None and control.implementation_status != status:
        controls_services.control_update(
            actor=actor, control=control, data={"implementation_status": status}, reason="Answered in the gap analysis"
        )

    if annex:
        soa = controls_services.soa_ensure(organisation=organisation, actor=actor)
        line = SoALine.objects.get(soa=soa, requirement=requirement)
        if answer == GapAnswer.Answer.NOT_APPLICABLE:
            values = {
                "applicable": False,
                "exclusion_reason": ExclusionReason.OTHER,
                "exclusion_justification": note,
            }
        else:
            values = {"applicable": True}
        controls_services.soa_line_update(actor=actor, line=line, data=values)

    evidence = record.evidence
    if answer in (GapAnswer.Answer.YES, GapAnswer.Answer.PARTLY):
        links = {"requirements": [requirement], "controls": [control]}
        if _is_url(note):
            if evidence is not None and evidence.url:
                if evidence.url != note:
                    controls_services.evidence_update(
                        actor=actor, evidence=evidence, data={"url": note}, reason="Link given in the gap analysis"
                    )
            else:
                if evidence is not None and not evidence.current_revision_id:
                    controls_services.evidence_delete(actor=actor, evidence=evidence)  # the placeholder is answered
                evidence = controls_services.evidence_create(
                    actor=actor,
                    organisation=organisation,
                    data={"title": f"Evidence for {label}"[:200], "url": note, **links},
                )
        elif evidence is None:
            evidence = controls_services.evidence_placeholder_create(
                actor=actor,
                organisation=organisation,
                data={
                    "title": f"Evidence for {label}"[:200],
                    "description": f"Where it is: {note}" if note else "Where is the evidence? Not said yet.",
                    **links,
                },
            )
        elif not evidence.url and note and note not in evidence.description:
            controls_services.evidence_update(
                actor=actor,
                evidence=evidence,
                data={"description": f"Where it is: {note}"},
                reason="Answered in the gap analysis",
            )
    record.answer = answer
    record.evidence_note = note
    record.control = control
    record.evidence = evidence
    record.answered_by = actor
    save_with_history(record, actor=actor, reason=f"Answered: {record.get_answer_display()}")
    return record


# --- Step 5: the roadmap ----------------------------------------------------------------------------------


def _phase_of(gap) -> str:
    """High-risk systems and untreated high risks first, with the management-system foundations (4–6); the
    checking and improving clauses (9–10) once the rest runs; everything else in between."""
    if gap.high_risk_systems or gap.risk_level in URGENT_LEVELS or gap.item.section in FOUNDATION_SECTIONS:
        return RoadmapPhase.FOUNDATIONS
    if gap.item.section in OPERATE_SECTIONS:
        return RoadmapPhase.OPERATE
    return RoadmapPhase.BUILD


@transaction.atomic
def roadmap_generate(*, actor, organisation, pilot_system: AISystem | None, owner=None, start: dt.date | None = None):
    """Plan an action with owner, phase and due date for every ISO/IEC 42001 gap still without one, ranked as
    the roadmap ranks them, plus the pilot and the treatment of untreated high risks. Running it again only
    adds what is missing. Returns the actions created."""
    if pilot_system is not None and pilot_system.organisation_id != organisation.pk:
        raise ServiceError(_("Choose one of your AI systems."), field="pilot_system")
    owner = owner or actor
    start = start or timezone.localdate()
    framework = iso42001()
    if framework is None:
        raise ServiceError(_("The ISO/IEC 42001 catalogue is not loaded."))
    created = []
    open_titles = set(RoadmapAction.objects.filter(organisation=organisation).open().values_list("title", flat=True))

    def plan(title, phase, **extra):
        if title[:200] in open_titles:
            return
        action = controls_services.roadmap_action_create(
            actor=actor,
            organisation=organisation,
            data={
                "title": title[:200],
                "phase": phase,
                "owner": owner,
                "due_date": start + dt.timedelta(days=PHASE_DAYS[phase]),
                **extra,
            },
        )
        open_titles.add(action.title)
        created.append(action)

    if pilot_system is not None:
        plan(
            f"Pilot the AIMS on {pilot_system.reference} {pilot_system.name}: risk and impact assessment, "
            "controls and evidence end to end",
            RoadmapPhase.FOUNDATIONS,
            description="Run every process once on this system before rolling the AIMS out to the others.",
        )
    urgent = Risk.objects.filter(
        organisation=organisation, status__in=(RiskStatus.IDENTIFIED, RiskStatus.ASSESSED)
    ).order_by("reference")
    for risk in urgent:
        if (risk.residual_level or risk.inherent_level) in URGENT_LEVELS:
            plan(
                f"Treat {risk.reference} {risk.title}",
                RoadmapPhase.FOUNDATIONS,
                description="An untreated high risk: plan and carry out its treatment first.",
            )
    readiness = framework_readiness(framework, OrganisationStatus(organisation))
    for gap in ranked_gaps(readiness, organisation=organisation):
        if gap.planned:
            continue
        requirement = Requirement.objects.get(pk=gap.item.pk)
        kind = gap.item.check.gaps[0]
        plan(
            controls_services.gap_title(requirement, kind),
            _phase_of(gap),
            requirement=requirement,
            gap_kind=kind,
            control=None,
        )
    progress = setup_progress(organisation, actor=actor)
    progress.pilot_system = pilot_system
    progress.roadmap_owner = owner
    progress.roadmap_start = start
    progress.roadmap_generated_at = timezone.now()
    save_with_history(progress, actor=actor, reason=f"Roadmap generated ({len(created)} actions)")
    return created


# --- Document templates -----------------------------------------------------------------------------------

TEMPLATE_FIELDS = ("title", "summary", "kind", "body", "requirements")


@transaction.atomic
def document_template_create(*, actor, organisation, data: dict) -> DocumentTemplate:
    """An organisation's own starter document, next to the shipped ones."""
    values = {k: data[k] for k in TEMPLATE_FIELDS if k in data}
    if not (values.get("body") or "").strip():
        raise ServiceError(_("Write the template's text."), field="body")
    values["created_by"] = actor
    return create_record(DocumentTemplate, actor=actor, organisation=organisation, data=values, reason="Added")


@transaction.atomic
def document_template_update(*, actor, template: DocumentTemplate, data: dict) -> DocumentTemplate:
    values = {k: data[k] for k in TEMPLATE_FIELDS if k in data}
    if "body" in values and not (values["body"] or "").strip():
        raise ServiceError(_("Write the template's text."), field="body")
    update_record(template, actor=actor, data=values, reason="Edited")
    return template


@transaction.atomic
def document_template_delete(*, actor, template: DocumentTemplate) -> None:
    delete_with_history(template, actor=actor, reason="Deleted")


def _scope_text(organisation) -> str:
    scope = ScopeStatement.objects.filter(organisation=organisation).order_by("-version").first()
    return (scope.boundaries.strip() if scope else "") or "[describe the activities, products and AI systems covered]"


@transaction.atomic
def template_instantiate(
    *, actor, organisation, template: library.LibraryTemplate, owner=None, title: str = ""
) -> Policy:
    """Create a draft policy from a template: organisation, owner, scope and date filled in, linked to the
    requirements the template serves. The draft then follows the policy workflow (review, approval)."""
    owner = owner or actor
    body = library.fill(
        template.body,
        {
            "organisation": organisation.name,
            "owner": owner.get_full_name() or owner.username,
            "scope": _scope_text(organisation),
            "date": timezone.localdate().isoformat(),
        },
    )
    if template.own_pk is not None:
        requirements = list(DocumentTemplate.objects.get(pk=template.own_pk).requirements.all())
    else:
        requirements = list(
            Requirement.objects.filter(
                framework__key=ISO42001_KEY, framework__organisation__isnull=True, identifier__in=template.requirements
            )
        )
    kind = PolicyKind.AI_POLICY if template.kind == "ai_policy" else PolicyKind.TOPIC
    return controls_services.policy_create(
        actor=actor,
        organisation=organisation,
        data={
            "kind": kind,
            "title": (title or template.title).strip()[:200],
            "body": body,
            "owner": owner,
            "requirements": requirements,
            "change_summary": f"First draft from the template “{template.title}”.",
        },
    )
