from rest_framework import serializers

from accounts.models import ApiToken, Membership, Organisation, User


class TokenObtainInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
    organisation = serializers.SlugField(
        max_length=80, required=False, allow_blank=True, help_text="Slug; optional when you belong to one."
    )
    read_only = serializers.BooleanField(default=False)


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
