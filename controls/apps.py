from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlsConfig(AppConfig):
    name = "controls"
    verbose_name = _("Controls and frameworks")

    def ready(self):
        from aims.crud import Tab, register_tab
        from aims.dashboard import register_panel
        from aims.demo import register_seeder
        from aims.navigation import NavLink, register_nav
        from controls.dashboard import controls_panel
        from controls.demo import seed_catalogue
        from controls.demo_controls import seed_controls
        from controls.tabs import action_controls_tab, risk_controls_tab, system_controls_tab

        register_seeder(seed_catalogue, order=30)
        register_seeder(seed_controls, order=40)
        register_panel(controls_panel, order=30)
        register_tab("risk.risk", Tab("controls", _("Controls"), "controls/tabs/risk_controls.html"), risk_controls_tab)
        register_tab(
            "risk.treatmentaction",
            Tab("controls", _("Controls"), "controls/tabs/action_controls.html"),
            action_controls_tab,
        )
        register_tab(
            "registry.aisystem",
            Tab("controls", _("Controls"), "controls/tabs/aisystem_controls.html"),
            system_controls_tab,
            order=30,
        )

        register_nav("controls", NavLink(_("Controls"), "controls:control-list", "shield-check"))
        register_nav("controls", NavLink(_("Statement of Applicability"), "controls:soa", "list-check"))
        register_nav("controls", NavLink(_("Evidence"), "controls:evidence-list", "file-earmark-check"))
        register_nav("controls", NavLink(_("Policies"), "controls:policy-list", "journal-bookmark"))
        register_nav("controls", NavLink(_("Gap analysis"), "controls:gap-analysis", "bar-chart"))
        register_nav("controls", NavLink(_("Roadmap"), "controls:roadmap", "signpost-split"))
        register_nav("controls", NavLink(_("Frameworks"), "controls:framework-list", "journal-text"))
        register_nav("controls", NavLink(_("Crosswalks"), "controls:crosswalk", "arrow-left-right"))
