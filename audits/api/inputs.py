"""Bodies of the audits API's actions (start, report, verify, hold, decide, escalate ...)."""

from rest_framework import serializers

from audits.api.serializers import MembersField
from audits.constants import DecisionKind
from controls.api.common import ReferenceField, UsernameField, choice_field
from controls.models import Evidence

# --- Inputs of the actions ---------------------------------------------------------------------------------------


class StatementInputSerializer(serializers.Serializer):
    statement = serializers.CharField()


class ReportInputSerializer(serializers.Serializer):
    summary = serializers.CharField()
    conclusion = serializers.CharField()
    recipients = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class CloseNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReopenInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class VerifyInputSerializer(serializers.Serializer):
    effective = serializers.BooleanField()
    note = serializers.CharField()
    evidence = ReferenceField(Evidence, many=True, required=False)


class KPIValueInputSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=16, decimal_places=4)
    taken_at = serializers.DateTimeField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class HoldInputSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    top_management_present = serializers.BooleanField()
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    conclusions = serializers.CharField()
    attendees = MembersField(required=False)


class DecisionInputSerializer(serializers.Serializer):
    kind = choice_field(DecisionKind.choices)
    decision = serializers.CharField()
    action_title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    owner = UsernameField(required=True, allow_null=False)
    due_date = serializers.DateField()


class EscalationInputSerializer(serializers.Serializer):
    notified = serializers.CharField(max_length=200)
    notified_at = serializers.DateTimeField(required=False)
    channel = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AuthorityReportInputSerializer(serializers.Serializer):
    reported_to_authority_at = serializers.DateTimeField(required=False)
    authority = serializers.CharField(max_length=200)
    authority_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class IncidentCloseInputSerializer(serializers.Serializer):
    lessons_learned = serializers.CharField(required=False, allow_blank=True, default="")
