"""Changes to the Statement of Applicability (ISO/IEC 42001 clause 6.1.3 d–f).

One SoA per organisation with one line per Annex A control of the shipped ISO/IEC 42001. Editing a line of an
approved SoA starts the next draft version; an officer's approval freezes every line into a ``SoAVersion``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from aims.permissions import can
from aims.prepared import CompiledQuery
from aims.services import (
    ServiceError,
    check_members,
    check_same_organisation,
    model_errors_as_service_errors,
    save_with_history,
)
from controls.constants import SoAStatus
from controls.models import Control, SoALine, SoAVersion, StatementOfApplicability
from controls.selectors_soa import annex_a_controls, line_problems, soa_rows, soa_summary

LINE_FIELDS = (
    "applicable",
    "obligations",
    "business_need",
    "exclusion_reason",
    "exclusion_justification",
    "owner",
    "notes",
)
LINE_FIELDS_M2M = ("risks",)


def _soa_with_check(organisation):
    """The organisation's SoA, whether a current Annex A control still lacks its line, and the approver's name."""
    line_of_control = SoALine.objects.filter(soa_id=OuterRef(OuterRef("pk")), requirement_id=OuterRef("pk"))
    return (
        StatementOfApplicability.objects.filter(organisation_id=organisation)
        .annotate(
            lacks_a_line=Exists(annex_a_controls().filter(~Exists(line_of_control))),
            approved_by_username=F("approved_by__username"),
        )
        .values(*_SOA_FIELDS, "lacks_a_line", "approved_by_username")
    )


_SOA_FIELDS = tuple(field.attname for field in StatementOfApplicability._meta.concrete_fields)
# One query on every read of the SoA, whose SQL never changes but for the organisation: compiled once.
_SOA = CompiledQuery(_soa_with_check, "organisation")


def soa_ensure(*, organisation, actor=None) -> StatementOfApplicability:
    """The organisation's SoA, created on first use, with a line for every current Annex A control; its
    ``approved_by_username`` is the approver's (None before a first approval)."""
    using = StatementOfApplicability.objects.db
    found = _SOA.rows(using, organisation=organisation.pk)
    if found:
        row = found[0]
        soa = StatementOfApplicability.from_db(using, _SOA_FIELDS, [row[name] for name in _SOA_FIELDS])
        soa.approved_by_username = row["approved_by_username"]
        lacks_a_line = row["lacks_a_line"]
    else:
        try:
            with transaction.atomic():
                soa = StatementOfApplicability(organisation=organisation)
                save_with_history(soa, actor=actor, reason="Created")
        except IntegrityError:  # created by a concurrent request
            soa = StatementOfApplicability.objects.get(organisation=organisation)
        lacks_a_line = True
        soa.approved_by_username = soa.approved_by.get_username() if soa.approved_by_id else None
    if lacks_a_line:
        soa_sync_lines(soa)
    return soa


def soa_sync_lines(soa: StatementOfApplicability) -> int:
    """Add a line for each Annex A control the SoA lacks (a new catalogue version); returns how many."""
    missing = list(annex_a_controls().exclude(soa_lines__soa=soa).values_list("pk", flat=True))
    if missing:
        SoALine.objects.bulk_create(
            [SoALine(organisation_id=soa.organisation_id, soa=soa, requirement_id=pk) for pk in missing],
            ignore_conflicts=True,
        )
    return len(missing)


def _start_draft(soa: StatementOfApplicability, *, actor) -> None:
    """An edit to an approved SoA starts the next version (the approved one stays as it was frozen)."""
    soa = StatementOfApplicability.objects.select_for_update().get(pk=soa.pk)
    if soa.status == SoAStatus.APPROVED:
        soa.version += 1
        soa.status = SoAStatus.DRAFT
        save_with_history(soa, actor=actor, reason=f"Draft of version {soa.version} started")


def _clean_line_values(line: SoALine, values: dict) -> dict:
    applicable = values.get("applicable", line.applicable)
    if applicable is False:
        errors = {}
        reason = values.get("exclusion_reason", line.exclusion_reason)
        text = (values.get("exclusion_justification", line.exclusion_justification) or "").strip()
        if not reason:
            errors["exclusion_reason"] = [gettext("Choose why the control is excluded.")]
        if not text:
            errors["exclusion_justification"] = [gettext("Explain why the control is not needed here.")]
        if errors:
            raise ServiceError(errors)
    elif applicable is True:
        # An included control carries no exclusion reason (a stale one would contradict the decision).
        values = {**values, "exclusion_reason": "", "exclusion_justification": ""}
    return values


@transaction.atomic
def soa_line_update(*, actor, line: SoALine, data: dict, controls=None) -> SoALine:
    """Decide a line (applicable or not, and why) and, when ``controls`` is given, set the controls that
    implement it (by linking this Annex A requirement to them). Any change starts a draft."""
    # Compare with the stored line: a bound ModelForm has already written its values onto the instance.
    line = SoALine.objects.select_related("requirement", "soa", "organisation").get(pk=line.pk)
    values = {name: data[name] for name in LINE_FIELDS if name in data}
    m2m = {name: list(data[name]) for name in LINE_FIELDS_M2M if name in data}
    organisation = line.organisation
    check_same_organisation(organisation, {**values, **m2m, "controls": controls or []})
    check_members(organisation, values, ("owner",))
    values = _clean_line_values(line, values)

    changed = [name for name, value in values.items() if getattr(line, name) != value]
    if "risks" in m2m and {r.pk for r in m2m["risks"]} != set(line.risks.values_list("pk", flat=True)):
        changed.append("risks")
    current_controls = set(
        Control.objects.filter(organisation=organisation, requirements=line.requirement).values_list("pk", flat=True)
    )
    wanted_controls = None if controls is None else {c.pk for c in controls}
    if wanted_controls is not None and wanted_controls != current_controls:
        changed.append("controls")
        touched = Control.objects.filter(pk__in=wanted_controls ^ current_controls)
        refused = [c.reference for c in touched if not can(actor, "change", c, organisation)]
        if refused:
            raise ServiceError(
                gettext("You may change the links of your own controls only, not of %(controls)s.")
                % {"controls": ", ".join(sorted(refused))},
                field="controls",
            )
    if not changed:
        return line

    _start_draft(line.soa, actor=actor)
    for name, value in values.items():
        setattr(line, name, value)
    with model_errors_as_service_errors():
        save_with_history(line, actor=actor, reason="Edited: " + ", ".join(sorted(changed)))
    if "risks" in m2m:
        line.risks.set(m2m["risks"])
    if wanted_controls is not None:
        identifier = line.requirement.identifier
        for control in controls:
            if control.pk not in current_controls:
                control.requirements.add(line.requirement)
                save_with_history(control, actor=actor, reason=f"Implements {identifier} (set in the SoA)")
        for control in Control.objects.filter(pk__in=current_controls - wanted_controls):
            control.requirements.remove(line.requirement)
            save_with_history(control, actor=actor, reason=f"No longer implements {identifier} (set in the SoA)")
    return line


@transaction.atomic
def soa_approve(*, actor, soa: StatementOfApplicability, note: str = "") -> SoAVersion:
    """Approve the working version: every line must be decided and justified. Freezes the lines as they read
    now into a ``SoAVersion`` (who, when), so the approved text never changes afterwards."""
    if not can(actor, "approve", soa, soa.organisation):
        raise PermissionDenied
    soa = StatementOfApplicability.objects.select_for_update().get(pk=soa.pk)
    if soa.status == SoAStatus.APPROVED:
        raise ServiceError(
            gettext("Version %(version)s is already approved; change a line to start the next version.")
            % {"version": soa.version},
            conflict=True,
        )
    soa_sync_lines(soa)
    rows = soa_rows(soa)
    problems = [(row.data["identifier"], problem) for row in rows for problem in line_problems(row.data)]
    if problems:
        listed = "; ".join(f"{identifier}: {problem}" for identifier, problem in problems[:5])
        more = gettext(" (and %(count)s more)") % {"count": len(problems) - 5} if len(problems) > 5 else ""
        raise ServiceError(
            gettext("%(count)s line(s) need attention before approval — %(listed)s%(more)s")
            % {"count": len(problems), "listed": listed, "more": more}
        )
    summary = soa_summary(rows)
    now = timezone.now()
    version = SoAVersion.objects.create(
        organisation_id=soa.organisation_id,
        soa=soa,
        version=soa.version,
        approved_by=actor,
        approved_at=now,
        note=note.strip(),
        lines=[row.data for row in rows],
        applicable_count=summary["applicable"],
        excluded_count=summary["excluded"],
    )
    soa.status = SoAStatus.APPROVED
    soa.approved_by = actor
    soa.approved_at = now
    save_with_history(soa, actor=actor, reason=f"Version {soa.version} approved")
    return version
