"""Translated model names without a migration.

Django derives a model's name from its class ("control", plural "controls") and such names cannot be translated;
naming them in ``Meta`` would add a migration for a display label only. The migration autodetector reads what
``Meta`` declared (``original_attrs``), not ``_meta``, so names set here change the pages, not the migrations.
"""

from __future__ import annotations


def name_models(names: dict) -> None:
    """``names`` maps a model to ``(singular, plural)``; a singular of None keeps the model's own."""
    for model, (singular, plural) in names.items():
        if singular is not None:
            model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural
