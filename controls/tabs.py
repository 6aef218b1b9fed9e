"""The "Controls" tabs this app adds to a risk's page and an AI system's page (risk and registry never import
controls: ``ControlsConfig.ready`` registers these providers with ``aims.crud.register_tab``)."""

from django.db.models import Prefetch, Q

from aims.permissions import can
from controls.forms_work import LinkControlForm
from controls.models import Control, Evidence


def risk_controls_tab(request, risk) -> dict:
    """The controls that treat the risk, the treatment actions they implement, and a form to link one."""
    user, organisation = request.user, request.organisation
    controls = list(
        Control.objects.visible_to(user, organisation)
        .filter(risks=risk)
        .select_related("owner")
        .prefetch_related(Prefetch("treatment_actions", to_attr="all_actions"))
        .order_by("reference")
    )
    for control in controls:
        control.actions_here = [a for a in control.all_actions if a.risk_id == risk.pk]
    actions = list(risk.actions.select_related("owner").prefetch_related("controls").order_by("reference"))
    return {
        "risk_controls": controls,
        "risk_actions": actions,
        "link_control_form": LinkControlForm(organisation=organisation, risk=risk),
        "can_add_control": can(user, "add", Control, organisation),
        "can_link_control": can(user, "change", Control, organisation),
    }


def system_controls_tab(request, system) -> dict:
    """The controls that apply to the AI system and the evidence recorded for it."""
    user, organisation = request.user, request.organisation
    return {
        "system_controls": list(
            Control.objects.visible_to(user, organisation)
            .filter(ai_systems=system)
            .select_related("owner")
            .prefetch_related("requirements")
            .order_by("reference")
        ),
        "system_evidence": list(
            Evidence.objects.visible_to(user, organisation)
            .filter(ai_systems=system)
            .select_related("owner", "current_revision")
            .order_by("reference")
        ),
        "can_add_control": can(user, "add", Control, organisation),
    }


def action_controls_tab(request, action) -> dict:
    """The controls that implement a treatment action, and a button to create one for it."""
    user, organisation = request.user, request.organisation
    return {
        "action_controls": list(
            Control.objects.visible_to(user, organisation)
            .filter(treatment_actions=action)
            .select_related("owner")
            .order_by("reference")
        ),
        "can_add_control": can(user, "add", Control, organisation),
    }


def requirement_controls_tab(request, requirement) -> dict:
    """The organisation's controls and evidence for one requirement, and whether it is ready (the gap check)."""
    from controls.gap import OrganisationStatus

    user, organisation = request.user, request.organisation
    return {
        "requirement_controls": list(
            Control.objects.visible_to(user, organisation)
            .filter(requirements=requirement)
            .select_related("owner")
            .order_by("reference")
        ),
        "requirement_evidence": list(
            Evidence.objects.visible_to(user, organisation)
            .filter(Q(requirements=requirement) | Q(controls__requirements=requirement))
            .distinct()
            .select_related("current_revision")
            .order_by("reference")
        ),
        "requirement_check": OrganisationStatus(organisation).direct(requirement.pk),
        "can_add_control": can(user, "add", Control, organisation),
    }
