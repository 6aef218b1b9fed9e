from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self):
        from accounts import access  # noqa: F401 — connects the sign-in signals to the access log
        from accounts.api import schema  # noqa: F401 — registers the OpenAPI auth extension
        from aims.navigation import NavLink, register_nav

        register_nav("settings", NavLink("Two-factor sign-in", "accounts:two-factor", "phone"))
        register_nav("settings", NavLink("Access log", "accounts:access-log", "journal-text"))
        register_nav("settings", NavLink("External auditors", "accounts:auditors", "person-badge"))
        register_nav("settings", NavLink("Organisation security", "accounts:security", "shield-lock"))
