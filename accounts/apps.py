from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from accounts import access  # noqa: F401 — connects the sign-in signals to the access log
        from accounts.api import schema  # noqa: F401 — registers the OpenAPI auth extension
        from aims.navigation import NavLink, register_nav

        register_nav("settings", NavLink(_("Two-factor sign-in"), "accounts:two-factor", "phone"))
        register_nav("settings", NavLink(_("Access log"), "accounts:access-log", "journal-text"))
        register_nav("settings", NavLink(_("External auditors"), "accounts:auditors", "person-badge"))
        register_nav("settings", NavLink(_("Organisation security"), "accounts:security", "shield-lock"))
