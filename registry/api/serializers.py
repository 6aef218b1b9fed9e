from rest_framework import serializers

from aims.api.serializers import CommaListField, MemberField, OrganisationRelatedField
from registry.constants import AITechnique
from registry.models import AISystem, Supplier

AI_SYSTEM_FIELDS = [
    "id",
    "reference",
    "name",
    "description",
    "intended_purpose",
    "intended_users",
    "foreseeable_misuse",
    "affected_persons",
    "business_owner",
    "technical_owner",
    "business_unit",
    "operator_role",
    "lifecycle_stage",
    "deployment_status",
    "deployment_date",
    "ai_techniques",
    "automation_level",
    "human_oversight",
    "geography",
    "criticality",
    "in_scope",
    "scope_justification",
    "review_cadence_months",
    "last_reviewed",
    "next_review",
    "tags",
    "suppliers",
    "depends_on",
    "eu_tier",
    "reassessment_required",
    "reassessment_reason",
    "created_at",
    "updated_at",
]


class AISystemSerializer(serializers.ModelSerializer):
    """An AI system. Owners are usernames; suppliers and dependencies are reference ids."""

    business_owner = MemberField()
    technical_owner = MemberField()
    ai_techniques = CommaListField(child=serializers.ChoiceField(choices=AITechnique.choices), required=False)
    tags = CommaListField(child=serializers.CharField(max_length=50), required=False)
    suppliers = OrganisationRelatedField(Supplier, many=True, required=False)
    depends_on = OrganisationRelatedField(AISystem, many=True, required=False)

    class Meta:
        model = AISystem
        fields = AI_SYSTEM_FIELDS
        read_only_fields = [
            "id",
            "next_review",
            "eu_tier",
            "reassessment_required",
            "reassessment_reason",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "reference": {"required": False, "validators": []},
            "scope_justification": {"required": True, "allow_blank": False},
        }
