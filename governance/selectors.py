"""Reads of the governance registers that take more than one step: the competence matrix and its gaps, the
RACI view, the holders of each role, and the summaries the dashboard and the leadership view show.

Each runs a fixed number of queries whatever the number of members, roles, competences or records.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext

from governance.constants import EXPIRING_DAYS, AimsProcess, CompetenceState, ObjectiveStatus, Raci
from governance.models import (
    AimsRole,
    Competence,
    Objective,
    RaciEntry,
    RoleAssignment,
    TrainingCourse,
    TrainingRecord,
)


def roles_with_holders(queryset=None, *, today: dt.date | None = None):
    """AIMS roles with ``current_assignments`` (in force today, with their members) prefetched."""
    queryset = AimsRole.objects.all() if queryset is None else queryset
    current = RoleAssignment.objects.active(today).select_related("member").order_by("start")
    return queryset.prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))


# --- The competence matrix -------------------------------------------------------------------------------


@dataclass
class MatrixCell:
    competence: Competence
    required: bool
    state: str = ""
    record_id: object = None
    record_reference: str = ""
    expires_on: dt.date | None = None
    required_by: list = field(default_factory=list)  # names of the member's roles that require it

    @property
    def state_label(self) -> str:
        return CompetenceState(self.state).label if self.state else ""

    @property
    def is_gap(self) -> bool:
        return self.state in (CompetenceState.MISSING, CompetenceState.EXPIRED)


@dataclass
class MatrixRow:
    member: object
    roles: list
    cells: list

    @property
    def gaps(self) -> int:
        return sum(1 for cell in self.cells if cell.is_gap)


@dataclass
class Gap:
    member: object
    competence: Competence
    state: str
    required_by: list
    expires_on: dt.date | None
    courses: list

    @property
    def state_label(self) -> str:
        return CompetenceState(self.state).label


@dataclass
class CompetenceMatrix:
    competences: list
    rows: list
    gaps: list
    counts: dict

    @property
    def required_total(self) -> int:
        return sum(self.counts.values())

    @property
    def met_share(self) -> int | None:
        """Percent of required (member, competence) pairs met or expiring; None when nothing is required."""
        total = self.required_total
        if not total:
            return None
        return round(100 * (self.counts[CompetenceState.MET] + self.counts[CompetenceState.EXPIRING]) / total)


def _state(expires_on: dt.date | None, today: dt.date) -> str:
    if expires_on is None or expires_on > today + dt.timedelta(days=EXPIRING_DAYS):
        return CompetenceState.MET
    if expires_on >= today:
        return CompetenceState.EXPIRING
    return CompetenceState.EXPIRED


def _best(records: list):
    """The record that counts: the one that never expires, else the one that expires last."""
    return max(records, key=lambda r: (r["expires_on"] is None, r["expires_on"] or dt.date.min))


def competence_matrix(*, user, organisation, role=None, today: dt.date | None = None) -> CompetenceMatrix:
    """Members holding AIMS roles × the competences their roles require: met, expiring, expired or missing.

    Six queries whatever the size: assignments, competences with their roles, courses with their
    competences, and the members' qualifying training records.
    """
    today = today or timezone.localdate()
    assignments = list(
        RoleAssignment.objects.visible_to(user, organisation)
        .active(today)
        .select_related("member", "role")
        .order_by("member__last_name", "member__first_name", "member__username", "role__reference")
    )
    if role is not None:
        holders = {a.member_id for a in assignments if a.role_id == role.pk}
        assignments = [a for a in assignments if a.member_id in holders]
    member_roles: dict = {}
    members: dict = {}
    for assignment in assignments:
        members.setdefault(assignment.member_id, assignment.member)
        roles = member_roles.setdefault(assignment.member_id, [])
        if assignment.role not in roles:
            roles.append(assignment.role)
    held_role_ids = {r.pk for roles in member_roles.values() for r in roles}
    competences = list(
        Competence.objects.visible_to(user, organisation)
        .filter(roles__in=held_role_ids)
        .distinct()
        .prefetch_related("roles")
        .order_by("reference")
    )
    courses = list(
        TrainingCourse.objects.visible_to(user, organisation)
        .filter(competences__in=competences)
        .distinct()
        .prefetch_related("competences")
        .order_by("reference")
    )
    courses_for: dict = {}
    for course in courses:
        for competence in course.competences.all():
            courses_for.setdefault(competence.pk, []).append(course)
    records = (
        TrainingRecord.objects.visible_to(user, organisation)
        .qualifying()
        .filter(member_id__in=members, course__in=courses)
        .values("pk", "reference", "member_id", "course_id", "expires_on")
    )
    course_competences = {c.pk: {k.pk for k in c.competences.all()} for c in courses}
    held: dict = {}  # (member id, competence id) -> [record values]
    for record in records:
        for competence_id in course_competences.get(record["course_id"], ()):
            held.setdefault((record["member_id"], competence_id), []).append(record)

    counts = dict.fromkeys(CompetenceState.values, 0)
    rows, gaps = [], []
    for member_id, member in members.items():
        roles = member_roles[member_id]
        role_ids = {r.pk for r in roles}
        cells = []
        for competence in competences:
            required_by = [r.name for r in competence.roles.all() if r.pk in role_ids]
            if not required_by:
                cells.append(MatrixCell(competence=competence, required=False))
                continue
            found = held.get((member_id, competence.pk))
            if not found:
                cell = MatrixCell(competence, True, CompetenceState.MISSING, required_by=required_by)
            else:
                best = _best(found)
                cell = MatrixCell(
                    competence,
                    True,
                    _state(best["expires_on"], today),
                    record_id=best["pk"],
                    record_reference=best["reference"],
                    expires_on=best["expires_on"],
                    required_by=required_by,
                )
            counts[cell.state] += 1
            cells.append(cell)
            if cell.state != CompetenceState.MET:
                gaps.append(
                    Gap(
                        member=member,
                        competence=competence,
                        state=cell.state,
                        required_by=required_by,
                        expires_on=cell.expires_on,
                        courses=[c for c in courses_for.get(competence.pk, []) if c.is_active],
                    )
                )
        rows.append(MatrixRow(member=member, roles=roles, cells=cells))
    order = {CompetenceState.EXPIRED: 0, CompetenceState.MISSING: 1, CompetenceState.EXPIRING: 2}
    gaps.sort(key=lambda g: (order[g.state], str(g.member), g.competence.reference))
    return CompetenceMatrix(competences=competences, rows=rows, gaps=gaps, counts=counts)


# --- The RACI view ---------------------------------------------------------------------------------------


@dataclass
class RaciRow:
    process: str
    label: str
    codes: list  # one code ("" when none) per role, in the order of ``RaciMatrix.roles``
    accountable: int
    responsible: int

    @property
    def problems(self) -> list[str]:
        problems = []
        if self.accountable == 0:
            problems.append(gettext("no role is accountable"))
        if self.responsible == 0:
            problems.append(gettext("no role is responsible"))
        return problems


@dataclass
class RaciMatrix:
    roles: list
    rows: list

    @property
    def incomplete(self) -> int:
        return sum(1 for row in self.rows if row.problems)


def raci_matrix(*, user, organisation) -> RaciMatrix:
    """AIMS processes × roles in use, with each role's part. Two queries."""
    roles = list(AimsRole.objects.visible_to(user, organisation).filter(is_active=True).order_by("reference"))
    entries = {
        (entry.role_id, entry.process): entry.code
        for entry in RaciEntry.objects.visible_to(user, organisation).filter(role__in=roles)
    }
    rows = []
    for process, label in AimsProcess.choices:
        codes = [entries.get((role.pk, process), "") for role in roles]
        rows.append(
            RaciRow(
                process=process,
                label=label,
                codes=codes,
                accountable=codes.count(Raci.ACCOUNTABLE),
                responsible=codes.count(Raci.RESPONSIBLE),
            )
        )
    return RaciMatrix(roles=roles, rows=rows)


# --- Summaries -------------------------------------------------------------------------------------------


@dataclass
class ObjectiveSummary:
    total: int = 0
    draft: int = 0
    approved: int = 0
    achieved: int = 0
    missed: int = 0
    overdue: int = 0
    on_track: int = 0
    objectives: list = field(default_factory=list)


def objective_summary(*, user, organisation, today: dt.date | None = None) -> ObjectiveSummary | None:
    """Counts of the objectives by status, the overdue ones, and the open ones with their progress. Two queries."""
    objectives = Objective.objects.visible_to(user, organisation)
    if objectives.query.is_empty():
        return None
    today = today or timezone.localdate()
    totals = objectives.aggregate(
        total=Count("id"),
        draft=Count("id", filter=Q(status=ObjectiveStatus.DRAFT)),
        approved=Count("id", filter=Q(status=ObjectiveStatus.APPROVED)),
        achieved=Count("id", filter=Q(status=ObjectiveStatus.ACHIEVED)),
        missed=Count("id", filter=Q(status=ObjectiveStatus.MISSED)),
        overdue=Count("id", filter=Q(status__in=[ObjectiveStatus.DRAFT, ObjectiveStatus.APPROVED], deadline__lt=today)),
    )
    open_objectives = list(
        objectives.filter(status__in=[ObjectiveStatus.DRAFT, ObjectiveStatus.APPROVED])
        .select_related("owner")
        .order_by("deadline", "reference")
    )
    on_track = sum(1 for o in open_objectives if o.on_track)
    return ObjectiveSummary(**totals, on_track=on_track, objectives=open_objectives)
