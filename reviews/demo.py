"""Demo review tasks for Northwind Health: the daily review job run over the demo registers, so `make run` shows
due and overdue reviews, reminders in the bell and an escalation. Idempotent like the job itself."""

from reviews.services import reviews_run_daily


def seed_reviews(context) -> None:
    for organisation in (context.northwind, context.contoso):
        # Quiet days are ignored here so that a demo started at the weekend shows its reminders too.
        reviews_run_daily(organisation=organisation, respect_quiet_days=False)
