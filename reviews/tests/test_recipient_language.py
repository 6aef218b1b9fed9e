"""Reminders and escalations are written in each recipient's language, not in the language of whoever (or
whatever job) happens to send them."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation

import accounts.locale
from controls.tests.factories import ControlFactory
from reviews.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def german_reader(monkeypatch):
    """Make one member read German; everyone else keeps the site default (the User.language field may not
    exist yet, so the choice is patched where every sender asks for it)."""
    readers = set()
    original = accounts.locale.language_for

    def language_for(*, user=None, organisation=None):
        if user is not None and user.pk in readers:
            return "de"
        return original(user=user, organisation=organisation)

    monkeypatch.setattr(accounts.locale, "language_for", language_for)
    return readers.add


def test_a_german_reader_gets_a_german_reminder_and_an_english_reader_an_english_one(
    org, members, today, run_job, german_reader
):
    german, english = members["contributor"], members["officer"]
    german_reader(german.pk)
    ControlFactory(organisation=org, owner=german, next_review=today + dt.timedelta(days=3), title="Bias test")
    ControlFactory(organisation=org, owner=english, next_review=today + dt.timedelta(days=3), title="Drift test")

    with translation.override("de"):  # the sender's own language must not leak into the English reminder
        run_job(org, today)

    by_recipient = {message.to[0]: message for message in mail.outbox}
    german_mail, english_mail = by_recipient[german.email], by_recipient[english.email]
    assert german_mail.subject.startswith("[Acme AI] Überprüfung fällig")
    assert "Sie sind verantwortlich für" in german_mail.body
    assert english_mail.subject.startswith("[Acme AI] Review due")
    assert "You are the owner of" in english_mail.body
    assert Notification.objects.get(recipient=german).title.startswith("Überprüfung fällig")
    assert Notification.objects.get(recipient=english).title.startswith("Review due")
    assert translation.get_language() == "en-gb"  # nothing stays switched after the job


def test_an_escalation_reaches_a_german_officer_in_german(org, members, today, run_job, german_reader):
    officer = members["officer"]
    german_reader(officer.pk)
    ControlFactory(organisation=org, owner=members["contributor"], next_review=today - dt.timedelta(days=10))

    run_job(org, today)

    escalation = next(m for m in mail.outbox if m.to == [officer.email])
    assert escalation.subject.startswith("[Acme AI] Überfällige Überprüfung eskaliert")
    assert "vor 10 Tagen" in escalation.body
