"""API shapes of the AIMS context registers (clause 4): scope statements, context issues, interested parties."""

from rest_framework import serializers

from aims.api.serializers import MemberField
from registry.models import ContextIssue, InterestedParty, ScopeStatement


class ScopeStatementSerializer(serializers.ModelSerializer):
    """A version of the AIMS scope. Only the texts are written; version, status and approval are the
    services' (a new version starts as a draft, ``POST .../approve/`` approves it)."""

    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ScopeStatement
        fields = [
            "id",
            "version",
            "status",
            "boundaries",
            "units",
            "locations",
            "ai_roles",
            "exclusions",
            "approved_by",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "version", "status", "approved_by", "approved_at", "created_at", "updated_at"]
        extra_kwargs = {"boundaries": {"allow_blank": False}}


class ContextIssueSerializer(serializers.ModelSerializer):
    """An internal or external issue and its effect on the AIMS. The owner is a username."""

    owner = MemberField()

    class Meta:
        model = ContextIssue
        fields = [
            "id",
            "reference",
            "title",
            "kind",
            "description",
            "effect_on_aims",
            "owner",
            "next_review",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}


class InterestedPartySerializer(serializers.ModelSerializer):
    """An interested party, its relevant requirements and whether (and how) the AIMS addresses them."""

    owner = MemberField()

    class Meta:
        model = InterestedParty
        fields = [
            "id",
            "reference",
            "name",
            "kind",
            "requirements",
            "addressed",
            "how_addressed",
            "owner",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"reference": {"required": False, "validators": []}}
