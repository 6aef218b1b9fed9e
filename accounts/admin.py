from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import AccessLog, ApiToken, AuditorInvitation, Membership, OidcProvider, Organisation, User

admin.site.register(User, UserAdmin)


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "time_zone", "created_at"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "organisation", "prefix", "read_only", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence and is never edited."""

    list_display = ["at", "kind", "username", "organisation", "ip_address", "path"]
    list_filter = ["kind", "organisation"]
    search_fields = ["username", "path", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditorInvitation)
class AuditorInvitationAdmin(SimpleHistoryAdmin):
    list_display = ["email", "organisation", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = ["token_hash", "membership", "accepted_at"]


@admin.register(OidcProvider)
class OidcProviderAdmin(SimpleHistoryAdmin):
    list_display = ["organisation", "issuer", "enabled", "sso_only"]
