"""The German catalogue is current, complete and compiled.

- current: ``makemessages`` with the Makefile's own flags, run into a copy of the locale directory, finds
  exactly the messages of the committed ``django.po`` (none missing, none obsolete). Skipped only without
  GNU gettext's xgettext (CI installs it);
- complete: every message has a translation, none is fuzzy, and each keeps the placeholders of its original;
- compiled: ``django.mo`` holds exactly the translations of ``django.po``.

These read whatever the catalogue holds, so they hold for every app's strings once they are marked.
"""

from __future__ import annotations

import ast
import gettext
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LANGUAGE = "de"
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO_PATH = LOCALE_DIR / LANGUAGE / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
MAKEFILE = Path(settings.BASE_DIR) / "Makefile"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdirf]|\{(\w+)\}")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header and obsolete (#~) entries excluded. A small reader for the layout
    gettext writes (entries separated by blank lines); the project has no polib."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, target = Entry(), None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if isinstance(target, int):
                    entry.msgstr[target] += value
                else:
                    setattr(entry, target, getattr(entry, target) + value)
            elif line:
                keyword, _, rest = line.partition(" ")
                value = ast.literal_eval(rest)
                if keyword.startswith("msgstr"):
                    target = int(keyword[7:-1]) if "[" in keyword else 0
                    entry.msgstr[target] = value
                else:
                    target = keyword
                    setattr(entry, keyword, value)
        if entry.msgid or entry.msgctxt is not None:
            entries.append(entry)
    return entries


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def makefile_messages_flags() -> list[str]:
    """``MESSAGES_FLAGS`` as the Makefile defines it (continuation lines joined), so the test runs what
    ``make messages`` runs."""
    text = MAKEFILE.read_text().replace("\\\n", " ")
    match = re.search(r"^MESSAGES_FLAGS\s*:?=\s*(.+)$", text, re.MULTILINE)
    assert match, "the Makefile defines MESSAGES_FLAGS"
    return shlex.split(match.group(1))


def test_the_reader_understands_the_catalogue():
    entries = read_po(PO_PATH)
    assert len(entries) > 100
    by_id = {e.msgid: e for e in entries}
    assert by_id["Sign out"].msgstr == {0: "Abmelden"}
    plurals = [e for e in entries if e.msgid_plural]
    assert plurals and all(set(e.msgstr) == {0, 1} for e in plurals)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_the_german_catalogue_is_current(tmp_path, monkeypatch):
    """Fails when a marked string is not in the committed catalogue (run `make messages` and translate it)
    or when the catalogue keeps a string the code no longer has."""
    from django.core.management.commands.makemessages import Command as MakeMessages

    class MakeMessagesIntoCopy(MakeMessages):
        """The stock command writes into the "locale" directory of the current directory (the project's);
        this one writes into the copy only, so the test never rewrites the committed catalogue."""

        def find_files(self, root):
            self.locale_paths = [str(copy)]
            self.default_locale_path = str(copy)
            return super().find_files(root)

    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy)
    committed_bytes = PO_PATH.read_bytes()
    monkeypatch.chdir(settings.BASE_DIR)
    # --ignore=locale: walking past the project's locale directory would make it the target again.
    call_command(MakeMessagesIntoCopy(), "-l", LANGUAGE, *makefile_messages_flags(), "--ignore=locale", verbosity=0)
    assert PO_PATH.read_bytes() == committed_bytes, "makemessages must write into the copy only"

    fresh = {e.key for e in read_po(copy / LANGUAGE / "LC_MESSAGES" / "django.po")}
    committed = {e.key for e in read_po(PO_PATH)}
    missing = sorted(fresh - committed, key=str)
    obsolete = sorted(committed - fresh, key=str)
    assert not missing, f"{len(missing)} marked strings are not in {PO_PATH} (run `make messages`): {missing[:20]}"
    assert not obsolete, f"{len(obsolete)} strings of {PO_PATH} are no longer in the code: {obsolete[:20]}"


def test_the_german_catalogue_is_complete():
    problems = []
    for entry in read_po(PO_PATH):
        label = entry.msgid[:60]
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {label!r}")
        expected_forms = {0, 1} if entry.msgid_plural is not None else {0}
        if set(entry.msgstr) != expected_forms or not all(text.strip() for text in entry.msgstr.values()):
            problems.append(f"untranslated: {label!r}")
            continue
        originals = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
        for index, text in entry.msgstr.items():
            # A plural's singular may spell out "one" instead of the number; every other placeholder stays.
            wanted = originals if entry.msgid_plural is None or index else _placeholders(entry.msgid)
            lost = wanted - _placeholders(text)
            invented = _placeholders(text) - originals
            if lost or invented:
                problems.append(f"placeholders {sorted(lost)} lost / {sorted(invented)} invented: {label!r}")
    assert not problems, f"{len(problems)} problems in {PO_PATH}:\n" + "\n".join(problems[:40])


def test_the_compiled_catalogue_matches():
    """django.mo is django.po compiled (run `make messages` after editing translations)."""
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for entry in read_po(PO_PATH):
        if "fuzzy" in entry.flags:
            continue  # msgfmt leaves fuzzy entries out; the completeness test reports them
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[key] = entry.msgstr.get(0, "")
        else:
            for index, text in entry.msgstr.items():
                expected[(key, index)] = text
    compiled = {k: v for k, v in compiled.items() if k != ""}  # the header
    differing = sorted(str(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not (expected.keys() - compiled.keys()), (
        f"not compiled: {sorted(map(str, expected.keys() - compiled.keys()))[:20]}"
    )
    assert not (compiled.keys() - expected.keys()), (
        f"compiled but not in the .po: {sorted(map(str, compiled.keys() - expected.keys()))[:20]}"
    )
    assert not differing, f"compiled translations differ from the .po: {differing[:20]}"


# The registers' models name themselves in Meta (gettext_lazy, with options-only migrations), the one way for
# every app: Django derives an untranslatable name otherwise, and a translated singular gets an English "s"
# ("Modells").
REGISTER_APPS = ("registry", "risk", "controls", "governance", "audits")


def test_every_register_model_declares_its_names_in_meta():
    from django.apps import apps

    undeclared = [
        model._meta.label
        for app in REGISTER_APPS
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
        and not {"verbose_name", "verbose_name_plural"} <= set(model._meta.original_attrs)
    ]
    assert not undeclared, f"declare verbose_name and verbose_name_plural in Meta: {undeclared}"


@pytest.mark.parametrize(
    ("label", "singular", "plural"),
    [
        ("registry.AIModel", "Modell", "Modelle"),
        ("registry.Supplier", "Lieferant", "Lieferanten"),
        ("controls.Control", "Maßnahme", "Maßnahmen"),
        ("audits.Audit", "Audit", "Audits"),
        ("audits.Incident", "KI-Vorfall", "KI-Vorfälle"),
    ],
)
def test_model_names_read_in_german(label, singular, plural):
    from django.apps import apps
    from django.utils import translation

    meta = apps.get_model(label)._meta
    with translation.override(LANGUAGE):
        assert (str(meta.verbose_name), str(meta.verbose_name_plural)) == (singular, plural)
