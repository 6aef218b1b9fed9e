"""Demo governance data for Northwind Health (and one role for Contoso Lending), from ``governance.demo_data``.

Idempotent: members are looked up by username, records by reference, assignments and RACI only when a role has
none; acknowledgements once the controls app's AI policy (POL-001) is approved. Everything goes through the
services, so the history reads as if people had done it.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Membership, User
from aims.demo import DEMO_PASSWORD
from governance import services
from governance.demo_data import (
    ACK_ACCESS_ROLES,
    ACK_ROLES,
    ACKNOWLEDGED_BY,
    COMMUNICATIONS,
    COMPETENCES,
    COURSES,
    EXTRA_MEMBERS,
    OBJECTIVES,
    PAST_ASSIGNMENTS,
    RACI,
    ROLES,
    TRAINING,
)
from governance.models import (
    Acknowledgement,
    AcknowledgementRequirement,
    AimsRole,
    Communication,
    Competence,
    Objective,
    RaciEntry,
    RoleAssignment,
    TrainingCourse,
    TrainingRecord,
)


def _days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _members(context) -> dict:
    """The demo users plus Northwind's extra role holders (created once, password ``aims-demo``)."""
    from accounts import services as account_services

    org, admin = context.northwind, context.users["admin"]
    users = dict(context.users)
    for username, first, last, role in EXTRA_MEMBERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if not Membership.objects.filter(organisation=org, user=user).exists():
            account_services.membership_add(actor=admin, organisation=org, user=user, role=role)
        users[username] = user
    return users


def _by_reference(model, org) -> dict:
    return {obj.reference: obj for obj in model.objects.filter(organisation=org)}


def _seed_roles(org, officer, users) -> dict:
    roles = _by_reference(AimsRole, org)
    for reference, fields, holder, since in ROLES:
        if reference not in roles:
            roles[reference] = services.aims_role_create(
                actor=officer, organisation=org, data={"reference": reference, **fields}
            )
        role = roles[reference]
        if not RoleAssignment.objects.filter(role=role).exists():
            for past_role, username, start, end, note in PAST_ASSIGNMENTS:
                if past_role == reference:
                    services.role_assign(
                        actor=officer,
                        organisation=org,
                        data={
                            "role": role,
                            "member": users[username],
                            "start": _days_ago(start),
                            "end": _days_ago(end),
                            "note": note,
                        },
                    )
            services.role_assign(
                actor=officer,
                organisation=org,
                data={"role": role, "member": users[holder], "start": _days_ago(since)},
            )
    if not RaciEntry.objects.filter(organisation=org).exists():
        cells = {(roles[ref], process): code for process, parts in RACI.items() for ref, code in parts.items() if code}
        services.raci_save(actor=officer, organisation=org, cells=cells)
    return roles


def _seed_competence(org, officer, users, roles) -> None:
    competences = _by_reference(Competence, org)
    for reference, name, description, role_refs in COMPETENCES:
        if reference not in competences:
            competences[reference] = services.competence_create(
                actor=officer,
                organisation=org,
                data={
                    "reference": reference,
                    "name": name,
                    "description": description,
                    "roles": [roles[r] for r in role_refs],
                },
            )
    courses = _by_reference(TrainingCourse, org)
    for reference, fields, competence_refs in COURSES:
        if reference not in courses:
            courses[reference] = services.course_create(
                actor=officer,
                organisation=org,
                data={
                    "reference": reference,
                    **fields,
                    "owner": officer,
                    "competences": [competences[c] for c in competence_refs],
                },
            )
    existing = set(TrainingRecord.objects.filter(organisation=org).values_list("reference", flat=True))
    for reference, username, course, days, result in TRAINING:
        if reference in existing:
            continue
        services.training_record_create(
            actor=officer,
            organisation=org,
            data={
                "reference": reference,
                "member": users[username],
                "course": courses[course],
                "completed_on": _days_ago(days),
                "result": result,
                "score": "" if result == "attended" else ("52%" if result == "failed" else "Pass"),
            },
        )


def _seed_objectives(org, officer, users) -> None:
    existing = _by_reference(Objective, org)
    for reference, fields, owner, status, value, measured_days in OBJECTIVES:
        if reference in existing:
            continue
        data = {k: v for k, v in fields.items() if k not in ("deadline_days", "start_days")}
        data.update(
            reference=reference,
            owner=users[owner],
            baseline=Decimal(str(data["baseline"])),
            target=Decimal(str(data["target"])),
            start=_days_ago(fields["start_days"]),
            deadline=timezone.localdate() + dt.timedelta(days=fields["deadline_days"]),
        )
        objective = services.objective_create(actor=officer, organisation=org, data=data)
        if status == "approved":
            services.objective_approve(actor=officer, objective=objective)
            if value is not None:
                services.objective_record_value(
                    actor=users[owner],
                    objective=objective,
                    value=Decimal(str(value)),
                    measured_on=_days_ago(measured_days),
                )


def _seed_communications(org, officer, users) -> None:
    from registry.models import InterestedParty

    existing = _by_reference(Communication, org)
    parties = _by_reference(InterestedParty, org)
    for reference, fields, owner, last_done, party_refs in COMMUNICATIONS:
        if reference in existing:
            continue
        services.communication_create(
            actor=officer,
            organisation=org,
            data={
                "reference": reference,
                **fields,
                "owner": users[owner],
                "last_done": _days_ago(last_done) if last_done is not None else None,
                "interested_parties": [parties[p] for p in party_refs if p in parties],
            },
        )


def _seed_acknowledgements(org, officer, users, roles) -> None:
    """Once the controls demo has approved the AI policy (POL-001): who must acknowledge it, and some who have."""
    from controls.constants import PolicyStatus
    from controls.models import Policy

    policy = Policy.objects.filter(organisation=org, reference="POL-001", status=PolicyStatus.APPROVED).first()
    if policy is None:
        return
    if not AcknowledgementRequirement.objects.filter(organisation=org, policy_reference="POL-001").exists():
        services.acknowledgement_requirement_create(
            actor=officer,
            organisation=org,
            data={
                "policy_reference": "POL-001",
                "aims_roles": [roles[r] for r in ACK_ROLES],
                "membership_roles": ",".join(ACK_ACCESS_ROLES),
                "due_days": 30,
            },
        )
    for username in ACKNOWLEDGED_BY:
        if not Acknowledgement.objects.filter(policy=policy, member=users[username]).exists():
            services.policy_acknowledge(actor=users[username], policy=policy)


def _seed_contoso(context) -> None:
    org, officer = context.contoso, context.users["officer2"]
    if AimsRole.objects.filter(organisation=org, reference="ROL-001").exists():
        return
    role = services.aims_role_create(
        actor=officer,
        organisation=org,
        data={
            "reference": "ROL-001",
            "name": "AIMS manager",
            "responsibilities": "Runs Contoso's AI management system for credit scoring.",
            "reports_performance": True,
        },
    )
    services.role_assign(actor=officer, organisation=org, data={"role": role, "member": officer})


def seed_governance(context) -> None:
    """Northwind's AIMS roles, RACI, objectives, competence and training, communication plan and
    acknowledgements of the AI policy; Contoso's AIMS manager."""
    org, officer = context.northwind, context.users["officer"]
    users = _members(context)
    roles = _seed_roles(org, officer, users)
    _seed_competence(org, officer, users, roles)
    _seed_objectives(org, officer, users)
    _seed_communications(org, officer, users)
    _seed_acknowledgements(org, officer, users, roles)
    _seed_contoso(context)
