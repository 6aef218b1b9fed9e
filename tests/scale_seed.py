"""A small ``seed_scale`` organisation for the tests of the large registers' fast paths (issue 9)."""

from __future__ import annotations

import io

from django.core.management import call_command

SMALL = {
    "systems": 12,
    "risks": 60,
    "history": 50,
    "other_orgs": 1,
    "other_systems": 3,
    "controls": 20,
    "evidence": 20,
    "findings": 15,
}


def seed_scale(**sizes):
    """``(officer, organisation)`` of a freshly seeded ``scale-large`` (SMALL sizes unless given) and one
    other organisation."""
    from django.contrib.auth import get_user_model

    from accounts.models import Organisation

    call_command("seed_scale", **{**SMALL, **sizes}, stdout=io.StringIO())
    return get_user_model().objects.get(username="scale-officer"), Organisation.objects.get(slug="scale-large")
