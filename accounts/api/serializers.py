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
