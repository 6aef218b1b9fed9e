"""The kinds of object that are reviewed periodically, in one small registry.

Each ``ReviewableKind`` says which objects take part (``active``), where their review date lives (a date field of
the object, or, for objects with none such as the SoA, the ``next_due`` of their last completed review task),
who owns them, how often they are reviewed, and how a completed review moves the date on or retires the object
through the owning app's services. The daily job and the completion form read only this registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.services import ServiceError, save_with_history
from registry.services.inventory import add_months


@dataclass(frozen=True)
class ReviewableKind:
    key: str
    label: str
    model_label: str  # "registry.AISystem"
    url_name: str  # detail page, takes the pk
    default_cadence_months: int
    owner_fields: tuple[str, ...] = ("owner",)
    date_field: str | None = None  # None: the date is kept on the review tasks (``next_due``)
    base_field: str = "created_at"  # tracked kinds: the first review is due this long after it
    active: Callable[[QuerySet], QuerySet] = lambda qs: qs
    # advance(obj, actor=, reviewed_on=, months=, reason=) -> the next review date (None: not moved)
    advance: Callable | None = None
    # retire(obj, actor=, comment=) -> None
    retire: Callable | None = None
    select_related: tuple[str, ...] = ()
    note: str = ""  # shown on the task page: what completing does
    # False where the owning register decides the next date itself (an AI system's own cadence, a certificate)
    uses_cadence: bool = True

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def queryset(self, organisation) -> QuerySet:
        qs = self.model.objects.filter(organisation=organisation)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return self.active(qs)

    def current_due(self, obj) -> dt.date | None:
        return getattr(obj, self.date_field) if self.date_field else None

    def owner_of(self, obj):
        for name in self.owner_fields:
            user_id = getattr(obj, f"{name}_id", None)
            if user_id:
                return user_id
        return None

    @property
    def can_retire(self) -> bool:
        return self.retire is not None


_KINDS: dict[str, ReviewableKind] = {}


def register_kind(kind: ReviewableKind) -> None:
    _KINDS[kind.key] = kind


def get_kind(key: str) -> ReviewableKind | None:
    return _KINDS.get(key)


def all_kinds() -> list[ReviewableKind]:
    return list(_KINDS.values())


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.key, kind.label) for kind in _KINDS.values()]


def kind_for_model(model) -> ReviewableKind | None:
    label = model._meta.label
    return next((kind for kind in _KINDS.values() if kind.model_label == label), None)


# --- The kinds --------------------------------------------------------------------------------------------------


def _reason(reviewed_on: dt.date) -> str:
    return f"Reviewed on {reviewed_on:%Y-%m-%d}"


def _as_service_error(call):
    """A service that refuses the actor (policy retirement needs an approver) reads as a field error."""
    try:
        return call()
    except PermissionDenied:
        raise ServiceError(gettext("Your role may not do this; ask an AIMS officer."), field="outcome") from None


def _ai_system_advance(obj, *, actor, reviewed_on, months, reason):
    from registry.services import ai_system_mark_reviewed

    # The system's own review cadence applies (registry rule): next review = last review + cadence.
    return ai_system_mark_reviewed(actor=actor, system=obj, reviewed_on=reviewed_on).next_review


def _ai_system_retire(obj, *, actor, comment):
    from registry.constants import LifecycleStage
    from registry.services import ai_system_update

    ai_system_update(actor=actor, system=obj, data={"lifecycle_stage": LifecycleStage.RETIREMENT}, reason="Retired")


def _ai_system_active(qs):
    from registry.constants import LifecycleStage

    return qs.exclude(lifecycle_stage=LifecycleStage.RETIREMENT).exclude(next_review__isnull=True)


def _risk_advance(obj, *, actor, reviewed_on, months, reason):
    from risk.services import risk_update

    # The risk criteria may say how often a risk of this level is reviewed; otherwise the organisation's cadence.
    level_months = obj.criteria.review_months_for(obj.current_level) if obj.criteria and obj.current_level else None
    next_date = add_months(reviewed_on, level_months or months)
    risk_update(actor=actor, risk=obj, data={"next_review": next_date}, reason=reason)
    return next_date


def _risk_retire(obj, *, actor, comment):
    from risk.services import risk_close

    risk_close(actor=actor, risk=obj, reason=comment)


def _risk_active(qs):
    from risk.constants import RiskStatus

    return qs.exclude(status=RiskStatus.CLOSED).exclude(next_review__isnull=True)


def _date_field_advance(field: str):
    """Records whose content is frozen once approved (impact assessments, policies): only the review date moves,
    saved with history."""

    def advance(obj, *, actor, reviewed_on, months, reason):
        next_date = add_months(reviewed_on, months)
        setattr(obj, field, next_date)
        save_with_history(obj, actor=actor, reason=reason, update_fields=[field, "updated_at"])
        return next_date

    return advance


def _impact_active(qs):
    from risk.constants import ImpactStatus

    return qs.filter(status=ImpactStatus.APPROVED).exclude(next_review__isnull=True)


def _control_advance(obj, *, actor, reviewed_on, months, reason):
    from controls.services import control_update

    next_date = add_months(reviewed_on, months)
    control_update(actor=actor, control=obj, data={"next_review": next_date}, reason=reason)
    return next_date


def _policy_active(qs):
    from controls.constants import PolicyStatus

    return qs.filter(status=PolicyStatus.APPROVED).exclude(review_date__isnull=True)


def _policy_retire(obj, *, actor, comment):
    from controls.services import policy_retire

    _as_service_error(lambda: policy_retire(actor=actor, policy=obj, reason=comment))


def _evidence_advance(obj, *, actor, reviewed_on, months, reason):
    from controls.services import evidence_update

    next_date = add_months(reviewed_on, months)
    evidence_update(
        actor=actor, evidence=obj, data={"expiry_date": next_date}, reason=f"{reason}: still valid, expiry extended"
    )
    return next_date


def _evidence_active(qs):
    from controls.constants import ReviewStatus

    return qs.exclude(review_status=ReviewStatus.REJECTED).exclude(expiry_date__isnull=True)


def _tracked_advance(obj, *, actor, reviewed_on, months, reason):
    """Objects without a review-date field (the SoA, objectives): the task records the next date."""
    return add_months(reviewed_on, months)


def _objective_active(qs):
    from governance.constants import ObjectiveStatus

    return qs.filter(status=ObjectiveStatus.APPROVED)


def _objective_retire(obj, *, actor, comment):
    from governance.constants import ObjectiveStatus
    from governance.services import objective_close

    objective_close(actor=actor, objective=obj, status=ObjectiveStatus.CANCELLED, note=comment)


def _training_active(qs):
    from governance.constants import QUALIFYING_RESULTS
    from governance.models import TrainingRecord

    newer = TrainingRecord.objects.filter(
        organisation=OuterRef("organisation"),
        member=OuterRef("member"),
        course=OuterRef("course"),
        completed_on__gt=OuterRef("completed_on"),
    )
    return qs.filter(result__in=QUALIFYING_RESULTS).exclude(expires_on__isnull=True).exclude(Exists(newer))


def _training_advance(obj, *, actor, reviewed_on, months, reason):
    # A certificate's expiry is the issuer's, not ours to extend: renewed training is a new training record.
    return None


def register_builtin_kinds() -> None:
    register_kind(
        ReviewableKind(
            key="ai_system",
            label=_("AI system"),
            model_label="registry.AISystem",
            url_name="registry:aisystem-detail",
            default_cadence_months=12,
            owner_fields=("business_owner", "technical_owner"),
            date_field="next_review",
            active=_ai_system_active,
            advance=_ai_system_advance,
            retire=_ai_system_retire,
            uses_cadence=False,
            note=_(
                "Completing records the review on the system and moves its next review by the system's own "
                "review cadence."
            ),
        )
    )
    register_kind(
        ReviewableKind(
            key="risk",
            label=_("Risk"),
            model_label="risk.Risk",
            url_name="risk:risk-detail",
            default_cadence_months=6,
            date_field="next_review",
            active=_risk_active,
            advance=_risk_advance,
            retire=_risk_retire,
            select_related=("criteria",),
            note=_(
                "The next review follows the risk criteria for the risk's level, or the organisation's cadence. "
                "Retiring closes the risk."
            ),
        )
    )
    register_kind(
        ReviewableKind(
            key="impact_assessment",
            label=_("Impact assessment"),
            model_label="risk.ImpactAssessment",
            url_name="risk:impact-detail",
            default_cadence_months=12,
            date_field="next_review",
            active=_impact_active,
            advance=_date_field_advance("next_review"),
            select_related=("ai_system",),
            note=_("An approved assessment is not edited: if it needs changes, start a new version from its page."),
        )
    )
    register_kind(
        ReviewableKind(
            key="control",
            label=_("Control"),
            model_label="controls.Control",
            url_name="controls:control-detail",
            default_cadence_months=12,
            date_field="next_review",
            active=lambda qs: qs.exclude(next_review__isnull=True),
            advance=_control_advance,
        )
    )
    register_kind(
        ReviewableKind(
            key="policy",
            label=_("Policy"),
            model_label="controls.Policy",
            url_name="controls:policy-detail",
            default_cadence_months=12,
            date_field="review_date",
            active=_policy_active,
            advance=_date_field_advance("review_date"),
            retire=_policy_retire,
            note=_("An approved policy is not edited: to change its text, start a new version from its page."),
        )
    )
    register_kind(
        ReviewableKind(
            key="evidence",
            label=_("Evidence (expiry)"),
            model_label="controls.Evidence",
            url_name="controls:evidence-detail",
            default_cadence_months=12,
            date_field="expiry_date",
            active=_evidence_active,
            advance=_evidence_advance,
            note=_(
                "Upload a new revision first if the evidence was renewed. Completing with 'no change' confirms "
                "it still holds and extends its expiry by the cadence."
            ),
        )
    )
    register_kind(
        ReviewableKind(
            key="soa",
            label=_("Statement of Applicability"),
            model_label="controls.StatementOfApplicability",
            url_name="controls:soa",
            default_cadence_months=12,
            owner_fields=(),
            base_field="approved_at",
            advance=_tracked_advance,
        )
    )
    register_kind(
        ReviewableKind(
            key="training",
            label=_("Training record (expiry)"),
            model_label="governance.TrainingRecord",
            url_name="governance:trainingrecord-detail",
            default_cadence_months=12,
            owner_fields=("member",),
            date_field="expires_on",
            active=_training_active,
            advance=_training_advance,
            uses_cadence=False,
            select_related=("course", "member"),
            note=_(
                "A certificate's expiry is not extended here: record the renewed training as a new training record."
            ),
        )
    )
    register_kind(
        ReviewableKind(
            key="objective",
            label=_("AI objective"),
            model_label="governance.Objective",
            url_name="governance:objective-detail",
            default_cadence_months=3,
            base_field="approved_at",
            active=_objective_active,
            advance=_tracked_advance,
            retire=_objective_retire,
            note=_("Retiring cancels the objective."),
        )
    )


def object_url(kind: ReviewableKind, obj) -> str:
    if kind.key == "soa":
        return reverse(kind.url_name)
    return reverse(kind.url_name, args=[obj.pk])


register_builtin_kinds()
