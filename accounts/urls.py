from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import oidc, views, views_security

app_name = "accounts"

urlpatterns = [
    path("switch/<slug:slug>/", views.switch_organisation, name="switch"),
    path("members/", views.member_list, name="members"),
    path("members/<uuid:pk>/role/", views.member_change_role, name="member-role"),
    path("members/<uuid:pk>/remove/", views.member_remove, name="member-remove"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.switch_language, name="language"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<uuid:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("two-factor/", views_security.two_factor, name="two-factor"),
    path("two-factor/verify/", views_security.two_factor_verify, name="two-factor-verify"),
    path("access-log/", views_security.access_log, name="access-log"),
    path("auditors/", views_security.auditor_invitations, name="auditors"),
    path("auditors/<uuid:pk>/revoke/", views_security.auditor_revoke, name="auditor-revoke"),
    path("invitation/<str:token>/", views_security.invitation_accept, name="invitation-accept"),
    path("security/", views_security.security_settings, name="security"),
    path("sso/", oidc.sso_choose, name="sso-choose"),
    path("sso/callback/", oidc.SsoCallbackView.as_view(), name="sso-callback"),
    path("sso/<slug:slug>/", oidc.sso_start, name="sso-start"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url="/account/password/done/"
        ),
        name="password-change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password-change-done",
    ),
]
