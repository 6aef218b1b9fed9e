"""Backup and restore round-trip the demo data exactly; a damaged or misplaced archive is refused.

The demo round trip then deletes one demo organisation and proves nothing of it remains in any table,
any file, or the other organisation's trail (the demo covers every register, so every table is used).
"""

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Organisation, User
from registry.tests.factories import AISystemFactory
from stewardship import services
from stewardship.archive import MANIFEST, ArchiveError, PreciseJSONEncoder, all_models
from trail.services import verify_chain

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _tables() -> dict[str, list[tuple]]:
    """Every row of every table, all columns, in primary-key order."""
    result = {}
    for model in all_models():
        columns = [field.attname for field in model._meta.concrete_fields]
        result[model._meta.label_lower] = list(model._default_manager.order_by("pk").values_list(*columns))
    return result


def _files() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def _all_text() -> str:
    out = io.StringIO()
    for model in all_models():
        serializers.serialize("json", model._default_manager.all(), stream=out, cls=PreciseJSONEncoder)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db(transaction=True)
def test_demo_round_trip_then_deletion_leaves_nothing(media, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    before, files = _tables(), _files()
    assert len(files) > 5 and sum(len(rows) for rows in before.values()) > 1000
    archive = tmp_path / "backup.zip"
    call_command("backup", str(archive), stdout=io.StringIO())

    # An empty database: migrated tables with no data (flush), and no files.
    call_command("flush", interactive=False, verbosity=0)
    for path in Path(media).rglob("*"):
        if path.is_file():
            path.unlink()
    assert not User.objects.exists()
    call_command("restore", str(archive), stdout=io.StringIO())

    after = _tables()
    assert after.keys() == before.keys()
    for label, rows in before.items():
        assert after[label] == rows, f"{label} differs after restore"
    assert _files() == files
    for organisation in Organisation.objects.all():
        assert verify_chain(organisation).ok

    # Deleting Northwind (as the due deletion does) leaves nothing of it anywhere.
    northwind = Organisation.objects.get(slug="northwind")
    contoso = Organisation.objects.get(slug="contoso")
    owned = {
        model._meta.label_lower: [str(pk) for pk in queryset.values_list("pk", flat=True)]
        for model, queryset in services.organisation_querysets(northwind)
    }
    uuids = {pk for pks in owned.values() for pk in pks if UUID.fullmatch(pk)}
    user_ids = set(services.users_only_in(northwind).values_list("pk", flat=True))
    northwind_files = {name for name in files if str(northwind.pk) in name}
    contoso_rows = {label: len(rows) for label, rows in after.items()}
    assert len(owned) > 50 and user_ids and northwind_files

    services.delete_organisation(northwind)

    for model, queryset in services.organisation_querysets(northwind):
        assert not queryset.exists(), model._meta.label_lower
    for model in all_models():
        assert not model._default_manager.filter(pk__in=owned.get(model._meta.label_lower, [])).exists()
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                assert not model._default_manager.filter(**{f"{field.attname}__in": user_ids}).exists(), (
                    f"{model._meta.label_lower}.{field.name} still names a deleted user"
                )
    text = _all_text()
    assert str(northwind.pk) not in text and "Northwind" not in text
    assert not uuids & set(UUID.findall(text)), "a row still refers to a deleted record"
    assert not northwind_files & set(_files())
    assert verify_chain(contoso).ok
    remaining = {label: len(rows) for label, rows in _tables().items()}
    assert remaining["registry.aisystem"] == contoso_rows["registry.aisystem"] - len(owned["registry.aisystem"])


def _backup_bytes() -> bytes:
    buffer = io.BytesIO()
    services.backup(buffer)
    return buffer.getvalue()


def _rewrite(content: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, change(name, source.read(name)))
    return out.getvalue()


def test_restore_refuses_a_database_with_data(org, media, tmp_path):
    AISystemFactory(organisation=org)
    path = tmp_path / "b.zip"
    path.write_bytes(_backup_bytes())
    with pytest.raises(CommandError, match="already holds users or organisations"):
        call_command("restore", str(path))


def test_restore_refuses_an_altered_archive(org, media, tmp_path):
    AISystemFactory(organisation=org, name="Original name")
    altered = _rewrite(
        _backup_bytes(),
        lambda name, data: data.replace(b"Original name", b"Forged name") if name.startswith("data/") else data,
    )
    with pytest.raises(ArchiveError, match="altered"):
        services.restore(io.BytesIO(altered), replace=True)
    extra = _rewrite(_backup_bytes(), lambda name, data: data)
    buffer = io.BytesIO(extra)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("media/../../etc/passwd", b"x")
    with pytest.raises(ArchiveError, match="not in the manifest"):
        services.restore(io.BytesIO(buffer.getvalue()), replace=True)
    no_manifest = io.BytesIO()
    with zipfile.ZipFile(no_manifest, "w") as archive:
        archive.writestr("data/x.json", b"[]")
    with pytest.raises(ArchiveError, match=MANIFEST):
        services.restore(io.BytesIO(no_manifest.getvalue()))
    with pytest.raises(ArchiveError, match="Not a readable ZIP"):
        services.restore(io.BytesIO(b"not a zip"))


def test_an_organisation_export_is_not_a_backup(org, media):
    buffer = io.BytesIO()
    services.export_organisation(org, buffer)
    with pytest.raises(ArchiveError, match="organisation export"):
        services.restore(io.BytesIO(buffer.getvalue()), replace=True)
