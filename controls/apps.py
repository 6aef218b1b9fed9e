from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "controls"
    verbose_name = "Controls and frameworks"

    def ready(self):
        from aims.demo import register_seeder
        from aims.navigation import NavLink, register_nav
        from controls.demo import seed_catalogue

        register_seeder(seed_catalogue, order=30)

        register_nav("controls", NavLink("Frameworks", "controls:framework-list", "journal-text"))
        register_nav("controls", NavLink("Crosswalks", "controls:crosswalk", "arrow-left-right"))
