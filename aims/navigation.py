"""The product's navigation areas. Apps add their pages to an area from ``AppConfig.ready``.

The areas are fixed so the layout stays the same as the product grows; an area no app has filled yet
is shown as not available rather than hidden, so users see where the product is going.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavLink:
    label: str  # a lazy translation: rendered in the reader's language
    url_name: str
    icon: str = ""


AREAS: list[tuple[str, str, str]] = [
    ("dashboard", _("Dashboard"), "speedometer2"),
    ("inventory", _("Inventory"), "boxes"),
    ("risks", _("Risks"), "exclamation-triangle"),
    ("controls", _("Controls"), "shield-check"),
    ("audits", _("Audits"), "clipboard-check"),
    ("reviews", _("Reviews"), "calendar-check"),
    ("reports", _("Reports"), "file-earmark-text"),
    ("settings", _("Settings"), "gear"),
]

_LINKS: dict[str, list[NavLink]] = {
    "dashboard": [NavLink(_("Dashboard"), "dashboard")],
    "settings": [
        NavLink(_("Members and roles"), "accounts:members", "people"),
        NavLink(_("API tokens"), "accounts:tokens", "key"),
        NavLink(_("Preferences"), "accounts:preferences", "translate"),
        NavLink(_("Change password"), "accounts:password-change", "lock"),
        NavLink(_("API documentation"), "swagger-ui", "braces"),
    ],
}


def register_nav(area: str, link: NavLink) -> None:
    links = _LINKS.setdefault(area, [])
    if link not in links:
        links.append(link)


def navigation(current_path: str) -> list[dict]:
    result = []
    for key, label, icon in AREAS:
        links = []
        for link in _LINKS.get(key, []):
            try:
                url = reverse(link.url_name)
            except NoReverseMatch:
                continue
            links.append({"label": link.label, "url": url, "icon": link.icon})
        active = any(
            current_path == item["url"] or (item["url"] != "/" and current_path.startswith(item["url"]))
            for item in links
        )
        result.append({"key": key, "label": label, "icon": icon, "links": links, "active": active})
    return result
