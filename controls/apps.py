from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "controls"
    verbose_name = "Controls and frameworks"

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
        register_tab("risk.risk", Tab("controls", "Controls", "controls/tabs/risk_controls.html"), risk_controls_tab)
        register_tab(
            "risk.treatmentaction",
            Tab("controls", "Controls", "controls/tabs/action_controls.html"),
            action_controls_tab,
        )
        register_tab(
            "registry.aisystem",
            Tab("controls", "Controls", "controls/tabs/aisystem_controls.html"),
            system_controls_tab,
            order=30,
        )

        register_nav("controls", NavLink("Controls", "controls:control-list", "shield-check"))
        register_nav("controls", NavLink("Statement of Applicability", "controls:soa", "list-check"))
        register_nav("controls", NavLink("Evidence", "controls:evidence-list", "file-earmark-check"))
        register_nav("controls", NavLink("Policies", "controls:policy-list", "journal-bookmark"))
        register_nav("controls", NavLink("Gap analysis", "controls:gap-analysis", "bar-chart"))
        register_nav("controls", NavLink("Roadmap", "controls:roadmap", "signpost-split"))
        register_nav("controls", NavLink("Frameworks", "controls:framework-list", "journal-text"))
        register_nav("controls", NavLink("Crosswalks", "controls:crosswalk", "arrow-left-right"))
