from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Scheduled reviews and notifications")

    def ready(self):
        from accounts.selectors import register_membership_annotation
        from aims.dashboard import register_panel
        from aims.demo import register_seeder
        from aims.navigation import NavLink, register_nav
        from reviews.dashboard import reviews_panel
        from reviews.demo import seed_reviews
        from reviews.services import unread_count_expression

        register_nav("reviews", NavLink(_("My reviews"), "reviews:my", "calendar-check"))
        register_nav("reviews", NavLink(_("All review tasks"), "reviews:task-list", "list-task"))
        register_nav("reviews", NavLink(_("Notifications"), "reviews:notifications", "bell"))
        register_nav("settings", NavLink(_("Review settings"), "reviews:settings", "alarm"))
        register_seeder(seed_reviews, order=90)
        register_panel(reviews_panel, order=5)
        # The navbar's unread count comes with the memberships every signed-in page reads (no query of its own).
        register_membership_annotation("unread_notifications", unread_count_expression)
