from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("switch/<slug:slug>/", views.switch_organisation, name="switch"),
    path("members/", views.member_list, name="members"),
    path("members/<uuid:pk>/role/", views.member_change_role, name="member-role"),
    path("members/<uuid:pk>/remove/", views.member_remove, name="member-remove"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<uuid:pk>/revoke/", views.token_revoke, name="token-revoke"),
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
