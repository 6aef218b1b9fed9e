"""Token exchange, ``/me/`` and the organisation's members and tokens."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.api.serializers import (
    AccessLogSerializer,
    ApiTokenSerializer,
    MembershipSerializer,
    MeSerializer,
    PreferencesSerializer,
    TokenObtainInputSerializer,
    TokenObtainOutputSerializer,
)
from accounts.models import AccessKind, AccessLog, ApiToken, Membership
from aims.permissions import can_for_request
from aims.services import ServiceError

ERRORS = {
    400: OpenApiResponse(description="Invalid input: field errors as JSON"),
    401: OpenApiResponse(description="Not authenticated"),
    403: OpenApiResponse(description="Your role does not allow this"),
    404: OpenApiResponse(description="Not found in your organisation"),
}


class TokenObtainThrottle(AnonRateThrottle):
    rate = "30/minute"


class TokenObtainView(APIView):
    """Exchange a username, password and organisation slug for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenObtainThrottle]

    @extend_schema(
        request=TokenObtainInputSerializer,
        responses={201: TokenObtainOutputSerializer, 400: ERRORS[400]},
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        data = TokenObtainInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.api_token_obtain(
            request=request._request,
            otp=data.validated_data.get("otp", ""),
            username=data.validated_data["username"],
            password=data.validated_data["password"],
            organisation_slug=data.validated_data.get("organisation", ""),
            read_only=data.validated_data["read_only"],
        )
        return Response(
            {"token": key, "organisation": token.organisation.slug, "read_only": token.read_only},
            status=status.HTTP_201_CREATED,
        )


class MeView(APIView):
    """Who you are, in which organisation, with which role."""

    allow_any_member = True

    @extend_schema(responses={200: MeSerializer, 401: ERRORS[401]}, tags=["auth"])
    def get(self, request):
        membership = request.membership
        return Response(
            MeSerializer(
                {
                    "user": request.user,
                    "organisation": membership.organisation,
                    "role": membership.role,
                    "read_only_token": bool(getattr(request.auth, "read_only", False)),
                }
            ).data
        )


class PreferencesView(APIView):
    """Your own language, time zone and date format (the same as the Preferences page)."""

    allow_any_member = True

    @extend_schema(responses={200: PreferencesSerializer, 401: ERRORS[401]}, tags=["auth"])
    def get(self, request):
        return Response(PreferencesSerializer(request.user, context={"request": request}).data)

    @extend_schema(
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]},
        tags=["auth"],
    )
    def patch(self, request):
        if getattr(request.auth, "read_only", False):
            raise PermissionDenied(_("A read-only token cannot change preferences."))
        serializer = PreferencesSerializer(request.user, data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k in services.PREFERENCE_FIELDS}
        try:
            user = services.user_preferences_update(user=request.user, **changes)
        except ServiceError as exc:
            raise ValidationError(exc.as_detail()) from None
        return Response(PreferencesSerializer(user, context={"request": request}).data)


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members of your organisation and their roles (read-only here; administrators manage them in the UI)."""

    queryset = Membership.objects.select_related("user")
    serializer_class = MembershipSerializer
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    ordering_fields = ["user__username", "role", "created_at"]
    filterset_fields = ["role"]

    def get_queryset(self):
        return super().get_queryset().filter(organisation=self.request.organisation)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own API tokens in this organisation. Keys are never shown again; revoke with ``/revoke/``."""

    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    permission_actions = {"revoke": "view"}  # revoking your own token needs only membership
    filterset_fields = ["read_only"]
    ordering_fields = ["created_at", "last_used_at"]

    def get_queryset(self):
        return super().get_queryset().filter(user=self.request.user, organisation=self.request.organisation)

    @extend_schema(request=None, responses={200: ApiTokenSerializer, 404: ERRORS[404]})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = services.api_token_revoke(actor=request.user, token=self.get_object())
        return Response(ApiTokenSerializer(token).data)


@extend_schema(
    parameters=[
        OpenApiParameter("kind", str, enum=[k.value for k in AccessKind], description="Event kind"),
        OpenApiParameter("q", str, description="Username contains"),
        OpenApiParameter("since", OpenApiTypes.DATE, description="On or after this day"),
        OpenApiParameter("until", OpenApiTypes.DATE, description="On or before this day"),
    ],
    tags=["auth"],
)
class AccessLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The organisation's access log (administrators and officers): sign-ins, tokens, exports, downloads."""

    queryset = AccessLog.objects.select_related("user")
    serializer_class = AccessLogSerializer
    filter_backends: list = []
    # Any member reaches the view; the list then refuses those who may not read the log (403), and a single
    # entry is simply not found for them (404, as for another organisation's).
    allow_any_member = True

    def _may_read(self) -> bool:
        return can_for_request(self.request, "view", AccessLog)

    def list(self, request, *args, **kwargs):
        if not self._may_read():
            raise PermissionDenied(_("Only administrators and officers read the access log."))
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        from accounts.views_security import filter_access_log

        if not self._may_read():
            return AccessLog.objects.none()
        rows = super().get_queryset().filter(organisation=self.request.organisation).order_by("-at")
        if self.action == "list":
            rows, form = filter_access_log(rows, self.request.query_params)
            if form.is_bound and not form.is_valid():
                raise ValidationError(form.errors)
        return rows
