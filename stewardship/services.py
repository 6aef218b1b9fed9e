"""Backup and restore of the whole database, and an organisation's export and deletion.

Every app's data is found through the app registry: a model belongs to an organisation through its
``organisation`` field (historical models included), an auto-created many-to-many table through the
model that declares it, and ``accounts.Organisation`` (and its history) is the organisation itself.
Nothing here imports a domain app, so a new app's tables are backed up, exported and deleted with
no change here — and the tests fail if one is not.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, User
from aims.services import ServiceError
from stewardship.archive import (
    ArchiveError,
    all_models,
    applied_migrations,
    read_manifest,
    snapshot,
    verify_entries,
    write_archive,
)
from stewardship.models import DeletionRequest
from trail import services as trail

logger = logging.getLogger(__name__)

# What an export says about each member: never the password hash.
USER_EXPORT_FIELDS = ["username", "first_name", "last_name", "email", "is_active", "date_joined", "last_login"]


# --- Which rows belong to an organisation ---------------------------------------------------------------
def _organisation_field(model):
    try:
        field = model._meta.get_field("organisation")
    except Exception:  # noqa: BLE001 — FieldDoesNotExist and friends: the model has no such field
        return None
    if getattr(field, "related_model", None) is Organisation and field.concrete:
        return field
    return None


def _is_organisation_history(model) -> bool:
    return getattr(model, "instance_type", None) is Organisation


def organisation_querysets(organisation) -> list[tuple[type[models.Model], models.QuerySet]]:
    """Every model's rows that belong to ``organisation`` (members' user rows are handled apart)."""
    result = []
    for model in all_models():
        if model is Organisation or _is_organisation_history(model):
            queryset = (
                model.objects.filter(pk=organisation.pk)
                if model is Organisation
                else model.objects.filter(id=organisation.pk)
            )
        elif _organisation_field(model) is not None:
            queryset = model._default_manager.filter(organisation_id=organisation.pk)
        elif model._meta.auto_created:
            source = model._meta.auto_created
            if source is Organisation or _organisation_field(source) is None:
                continue
            link = next(f for f in model._meta.concrete_fields if f.is_relation and f.related_model is source)
            queryset = model._default_manager.filter(**{f"{link.name}__organisation_id": organisation.pk})
        else:
            continue
        result.append((model, queryset))
    return result


def member_users(organisation):
    return User.objects.filter(memberships__organisation=organisation).distinct()


def users_only_in(organisation):
    """Members who belong to no other organisation (and are not staff): deleted with it."""
    elsewhere = Membership.objects.exclude(organisation=organisation).values("user_id")
    return member_users(organisation).exclude(pk__in=elsewhere).filter(is_staff=False, is_superuser=False)


def _file_names(pairs) -> list[str]:
    names = []
    for model, queryset in pairs:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names += [name for name in queryset.values_list(field.attname, flat=True) if name]
    return names


# --- Backup and restore ---------------------------------------------------------------------------------
def backup(target) -> dict:
    """Write every table and every stored file to ``target`` as one consistent archive."""
    media_root = Path(settings.MEDIA_ROOT)
    with snapshot():
        pairs = [(model, model._default_manager.all(), None) for model in all_models()]
        files = (
            [str(path.relative_to(media_root).as_posix()) for path in media_root.rglob("*") if path.is_file()]
            if media_root.exists()
            else []
        )
        return write_archive(target, kind="backup", querysets=pairs, files=files)


def database_is_empty() -> bool:
    return not (User.objects.exists() or Organisation.objects.exists())


def restore(source, *, replace: bool = False) -> dict:
    """Restore a backup archive: verified first, then every table replaced in one transaction, then files.

    Refuses a database that holds users or organisations unless ``replace`` is given.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"Not a readable ZIP archive: {exc}") from None
    with archive:
        manifest = read_manifest(archive)
        if manifest.get("kind") != "backup":
            raise ArchiveError("This archive is an organisation export, not a backup; it cannot be restored.")
        verify_entries(archive, manifest)
        here = applied_migrations()
        missing = [
            f"{app}.{name}"
            for app, names in manifest["migrations"].items()
            for name in names
            if name not in here.get(app, [])
        ]
        if missing:
            raise ArchiveError(
                "The backup comes from a newer schema; apply these migrations first: " + ", ".join(missing[:10])
            )
        if not replace and not database_is_empty():
            raise ArchiveError(
                "The database already holds users or organisations. Restore into an empty database "
                "(python manage.py migrate on a new one), or pass --replace to discard what is there."
            )
        with tempfile.TemporaryDirectory(prefix="aims-restore-") as folder:
            fixtures = []
            for name in manifest["entries"]:
                label = name.removeprefix("data/").removesuffix(".json")
                if name.startswith("data/") and manifest["counts"].get(label):
                    path = Path(folder) / f"{label.replace('.', '__')}.json"
                    with archive.open(name) as stream, path.open("wb") as out:
                        shutil.copyfileobj(stream, out)
                    fixtures.append(str(path))
            with override_settings(SIMPLE_HISTORY_ENABLED=False), trail.suspended(), transaction.atomic():
                call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
                if fixtures:
                    call_command("loaddata", *fixtures, verbosity=0)
        media_root = Path(settings.MEDIA_ROOT)
        for name in manifest["entries"]:
            if name.startswith("media/"):
                path = media_root / name.removeprefix("media/")
                path.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(name) as stream, path.open("wb") as out:
                    shutil.copyfileobj(stream, out)
    return manifest


# --- Organisation export ----------------------------------------------------------------------------------
def export_organisation(organisation, target) -> dict:
    """Everything of ``organisation`` (its records, their history, its trail, its members, its files) as a ZIP."""
    with snapshot():
        pairs = organisation_querysets(organisation)
        files = _file_names(pairs)
        triples = [(model, queryset, None) for model, queryset in pairs]
        triples.append((User, member_users(organisation), USER_EXPORT_FIELDS))
        return write_archive(
            target,
            kind="organisation-export",
            querysets=triples,
            files=files,
            extra={"organisation": {"id": str(organisation.pk), "name": organisation.name, "slug": organisation.slug}},
        )


# --- Deletion with a grace period -------------------------------------------------------------------------
def grace_days() -> int:
    return getattr(settings, "AIMS_DELETION_GRACE_DAYS", 30)


def pending_deletion(organisation) -> DeletionRequest | None:
    return DeletionRequest.objects.pending().filter(organisation=organisation).select_related("requested_by").first()


def request_deletion(*, organisation, actor, confirm: str) -> DeletionRequest:
    """Schedule the organisation's deletion ``grace_days()`` from now; ``confirm`` must be its slug."""
    if confirm.strip() != organisation.slug:
        raise ServiceError(
            _("Type the organisation's short name, %(slug)s, to confirm.") % {"slug": organisation.slug},
            field="confirm",
        )
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if pending_deletion(organisation):
            raise ServiceError(_("Deletion is already scheduled for this organisation."), conflict=True)
        request = DeletionRequest.objects.create(
            organisation=organisation, requested_by=actor, due_at=timezone.now() + timedelta(days=grace_days())
        )
    logger.warning("Deletion of organisation %s requested by %s, due %s", organisation.pk, actor, request.due_at)
    return request


def cancel_deletion(*, organisation, actor) -> DeletionRequest:
    with transaction.atomic():
        request = DeletionRequest.objects.pending().select_for_update().filter(organisation=organisation).first()
        if request is None:
            raise ServiceError(_("No deletion is scheduled for this organisation."), conflict=True)
        request.cancelled_at = timezone.now()
        request.cancelled_by = actor
        request.save(update_fields=["cancelled_at", "cancelled_by"])
    logger.warning("Deletion of organisation %s cancelled by %s", organisation.pk, actor)
    return request


def delete_organisation(organisation) -> dict[str, int]:
    """Delete the organisation and everything of it, at once. Returns rows deleted per model.

    Rows go by direct deletes in one transaction (foreign keys are checked at commit, so the order
    between the organisation's own tables does not matter); history recording and the trail are
    suspended, since the history of a deleted organisation is deleted with it. Members who belong
    nowhere else are deleted, with their sessions; files are removed once the transaction commits.
    """
    organisation_id = organisation.pk
    counts: dict[str, int] = {}
    with override_settings(SIMPLE_HISTORY_ENABLED=False), trail.suspended(), transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation_id).first()
        pairs = organisation_querysets(organisation)
        files = _file_names(pairs)
        user_ids = [str(pk) for pk in users_only_in(organisation).values_list("pk", flat=True)]
        # Many-to-many tables first (they are found through the rows they link), the organisation last.
        pairs.sort(key=lambda pair: 0 if pair[0]._meta.auto_created else 2 if pair[0] is Organisation else 1)
        for model, queryset in pairs:
            counts[model._meta.label_lower] = queryset._raw_delete(queryset.db)
        counts["accounts.user"], _ = User.objects.filter(pk__in=user_ids).delete()
        counts["sessions.session"] = _delete_sessions(set(user_ids), str(organisation_id))
        leftovers = {model._meta.label_lower: qs.count() for model, qs in organisation_querysets(organisation)}
        leftovers = {label: n for label, n in leftovers.items() if n}
        if leftovers:
            raise ServiceError(f"Rows of the organisation remain after deletion: {leftovers}")
        transaction.on_commit(lambda: _delete_files(files, organisation_id))
    logger.warning("Organisation %s deleted: %s rows", organisation_id, sum(counts.values()))
    return counts


def _delete_sessions(user_ids: set[str], organisation_id: str) -> int:
    doomed = []
    for session in Session.objects.iterator():
        data = session.get_decoded()
        if str(data.get("_auth_user_id")) in user_ids or organisation_id in {str(v) for v in data.values()}:
            doomed.append(session.pk)
    return Session.objects.filter(pk__in=doomed).delete()[0]


def _delete_files(names: list[str], organisation_id) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s", name)
    # Evidence lives under evidence/<organisation id>/: remove the emptied folders too.
    root = Path(settings.MEDIA_ROOT)
    for folder in root.glob(f"*/{organisation_id}"):
        shutil.rmtree(folder, ignore_errors=True)


def perform_due_deletions(now=None) -> list[str]:
    """Delete every organisation whose grace period has ended; returns their ids."""
    now = now or timezone.now()
    done = []
    due = DeletionRequest.objects.pending().filter(due_at__lte=now).values_list("organisation_id", flat=True)
    for organisation in Organisation.objects.filter(pk__in=list(due)):
        delete_organisation(organisation)
        done.append(str(organisation.pk))
    return done
