"""Demo data: organisations and users here; each app registers a seeder for its registers.

Every seeder must be idempotent (look records up by their reference before creating them), so that
``seed_demo`` can run at every ``make run``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from aims.roles import Role

DEMO_PASSWORD = "aims-demo"  # noqa: S105 — demo only, printed by `make run`

NORTHWIND_USERS = [
    ("admin", "Amira", "Haddad", Role.ADMIN),
    ("officer", "Olivia", "Bennett", Role.OFFICER),
    ("contributor", "Chen", "Wei", Role.CONTRIBUTOR),
    ("auditor", "Aisha", "Okafor", Role.AUDITOR),
    ("viewer", "Victor", "Lindqvist", Role.VIEWER),
]
CONTOSO_USERS = [("officer2", "Oscar", "Moreno", Role.OFFICER)]


@dataclass
class DemoContext:
    northwind: object
    contoso: object
    users: dict = field(default_factory=dict)


_SEEDERS: list[tuple[int, Callable[[DemoContext], None]]] = []


def register_seeder(seeder: Callable[[DemoContext], None], *, order: int = 100) -> None:
    if seeder not in [s for _, s in _SEEDERS]:
        _SEEDERS.append((order, seeder))
        _SEEDERS.sort(key=lambda item: item[0])


def _user(username, first, last):
    from accounts.models import User

    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _organisation(name, slug, time_zone, members):
    from accounts.models import Membership, Organisation

    organisation, _ = Organisation.objects.get_or_create(slug=slug, defaults={"name": name, "time_zone": time_zone})
    users = {}
    for username, first, last, role in members:
        user = _user(username, first, last)
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": role})
        users[username] = user
    return organisation, users


def seed_organisations() -> DemoContext:
    northwind, users = _organisation("Northwind Health", "northwind", "Europe/London", NORTHWIND_USERS)
    contoso, contoso_users = _organisation("Contoso Lending", "contoso", "Europe/Berlin", CONTOSO_USERS)
    users.update(contoso_users)
    return DemoContext(northwind=northwind, contoso=contoso, users=users)


def run_seeders(context: DemoContext, stdout=None) -> None:
    for _, seeder in _SEEDERS:
        seeder(context)
        if stdout is not None:
            stdout.write(f"  seeded {seeder.__module__}")
