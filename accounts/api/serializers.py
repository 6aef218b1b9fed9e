from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from accounts.models import ApiToken, Membership, Organisation, User


class TokenObtainInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
    organisation = serializers.SlugField(
        max_length=80, required=False, allow_blank=True, help_text="Slug; optional when you belong to one."
    )
    read_only = serializers.BooleanField(default=False)
    otp = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Two-factor code (or recovery code) when you use one.",
    )


class TokenObtainOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    organisation = serializers.SlugField()
    read_only = serializers.BooleanField()


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "time_zone"]


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email"]


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    organisation = OrganisationSerializer()
    role = serializers.CharField()
    read_only_token = serializers.BooleanField()


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = ["id", "user", "created_at"]


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "read_only", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class AccessLogSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        from accounts.models import AccessLog

        model = AccessLog
        fields = ["id", "at", "kind", "kind_label", "username", "ip_address", "method", "path", "detail", "user_agent"]
        read_only_fields = fields


class PreferencesSerializer(serializers.ModelSerializer):
    """The signed-in person's own preferences. Empty ``language`` / ``time_zone``: the organisation's default."""

    language = serializers.ChoiceField(
        choices=[("", "organisation default")],  # replaced in __init__ with settings.LANGUAGES
        required=False,
        allow_blank=True,
        help_text="A language code of the site (en-gb, de), or empty for the organisation's default.",
    )
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="An IANA time zone name such as Europe/Berlin, or empty for the organisation's time zone.",
    )
    effective_language = serializers.SerializerMethodField(help_text="The language in force after the defaults.")
    effective_time_zone = serializers.SerializerMethodField(help_text="The time zone in force after the defaults.")

    class Meta:
        model = User
        fields = ["language", "time_zone", "date_format", "effective_language", "effective_time_zone"]

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "organisation default"), *settings.LANGUAGES]

    def validate_time_zone(self, value: str) -> str:
        from accounts.models import validate_timezone

        if value:
            try:
                validate_timezone(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
        return value

    def _organisation(self):
        request = self.context.get("request")
        return getattr(request, "organisation", None)

    def get_effective_language(self, user) -> str:
        from accounts.locale import language_for

        return language_for(user=user, organisation=self._organisation())

    def get_effective_time_zone(self, user) -> str:
        from accounts.locale import timezone_name_for

        return timezone_name_for(user=user, organisation=self._organisation())
