from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = _("AI risk and impact")

    def ready(self):
        from aims.crud import Tab, register_tab
        from aims.dashboard import register_panel
        from aims.demo import register_seeder
        from aims.navigation import NavLink, register_nav
        from risk.dashboard import risk_panel
        from risk.demo import seed_risk
        from risk.tabs import system_impact_tab, system_risks_tab

        register_tab(
            "registry.aisystem", Tab("risks", _("Risks"), "risk/tabs/aisystem_risks.html"), system_risks_tab, order=20
        )
        register_tab(
            "registry.aisystem",
            Tab("impact", _("Impact"), "risk/tabs/aisystem_impact.html"),
            system_impact_tab,
            order=21,
        )
        register_panel(risk_panel, order=20)
        register_seeder(seed_risk, order=20)

        register_nav("risks", NavLink(_("Risk register"), "risk:risk-list", "list-ul"))
        register_nav("risks", NavLink(_("Heat map"), "risk:heat-map", "grid-3x3"))
        register_nav("risks", NavLink(_("Treatment actions"), "risk:treatmentaction-list", "check2-square"))
        register_nav("risks", NavLink(_("Risk assessments"), "risk:assessment-list", "clipboard-data"))
        register_nav("risks", NavLink(_("Impact assessments"), "risk:impact-list", "people"))
        register_nav("risks", NavLink(_("Risk criteria"), "risk:criteria-list", "sliders"))
