from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Evidence packs and dossiers"

    def ready(self):
        from aims.crud import Tab, register_tab
        from aims.navigation import NavLink, register_nav
        from reports.views import system_dossier_tab

        register_tab(
            "registry.aisystem",
            Tab("dossier", "Dossier", "reports/tabs/aisystem_dossier.html"),
            system_dossier_tab,
            order=90,
        )
        register_nav("reports", NavLink("Evidence packs", "reports:pack-list", "file-earmark-zip"))
