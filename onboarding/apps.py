from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Guided setup and document templates"

    def ready(self):
        from aims.navigation import NavLink, register_nav

        register_nav("dashboard", NavLink("Guided setup", "onboarding:setup", "signpost-2"))
        register_nav("controls", NavLink("Document templates", "onboarding:templates", "file-earmark-richtext"))
        register_nav("settings", NavLink("New organisation", "onboarding:organisation-new", "building-add"))
