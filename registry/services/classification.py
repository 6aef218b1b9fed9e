"""EU AI Act classification of AI systems."""

from django.db import transaction
from django.utils.translation import gettext as _

from aims.services import (
    ServiceError,
    save_with_history,
)
from registry.classification import InvalidAnswers, classify, parse_answers
from registry.models import (
    AISystem,
    Classification,
)

# EU AI Act classification ----------------------------------------------------------------------------


@transaction.atomic
def ai_system_classify(*, actor, system: AISystem, answers: dict) -> Classification:
    """Classify ``system`` under the EU AI Act from the questionnaire ``answers`` (Regulation (EU) 2024/1689).

    The decision is ``registry.classification.classify``; this records it as a new ``Classification`` (earlier
    ones stay, as history) and copies the tier to ``system.eu_tier`` for filtering. Knowing the legal
    obligations that apply to each system is part of the organisation's context (ISO/IEC 42001 clause 4.1).
    Missing ``operator_role`` defaults to the system's own role. Unknown questions or answers raise
    ``ServiceError`` naming each field; nothing is saved then.
    """
    if not isinstance(answers, dict):
        raise ServiceError(_("Send the answers as an object of question: answer."))
    try:
        parsed = parse_answers({"operator_role": system.operator_role, **answers})
    except InvalidAnswers as exc:
        raise ServiceError(exc.errors) from exc
    result = classify(parsed)
    classification = Classification(
        organisation=system.organisation,
        ai_system=system,
        answers=parsed.as_dict(),
        tier=result.tier,
        basis=result.basis,
        operator_role=result.operator_role,
        obligations=result.obligations_data(),
        reasons=result.reasons_data(),
        classified_by=actor,
    )
    classification._history_user = actor
    classification._change_reason = "Classified"
    # An importer of a minimal-risk system has no obligations: an empty list is a valid result here.
    classification.full_clean(exclude=["obligations"])
    classification.save()
    system.eu_tier = result.tier
    save_with_history(
        system,
        actor=actor,
        reason=f"Classified under the EU AI Act: {classification.get_tier_display()}",
        update_fields=["eu_tier", "updated_at"],
    )
    return classification
