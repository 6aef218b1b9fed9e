from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "trust"
    verbose_name = "Trust centre and concerns"

    def ready(self):
        from aims.demo import register_seeder
        from aims.navigation import NavLink, register_nav
        from trust.demo import seed_trust

        register_seeder(seed_trust, order=90)
        register_nav("settings", NavLink("Trust centre", "trust:settings", "patch-check"))
        register_nav("audits", NavLink("Reported concerns", "trust:concern-list", "megaphone"))
        register_nav("audits", NavLink("Report a concern", "trust:concern-report", "chat-square-text"))
