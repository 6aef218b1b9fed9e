"""Dashboard panels. Apps register a function that returns panels for the request's organisation.

Registration keeps the dependency direction: ``aims`` never imports the domain apps; each app's
``AppConfig.ready`` calls ``register_panel``.
"""

from collections.abc import Callable

_PANEL_PROVIDERS: list[tuple[int, Callable]] = []


def register_panel(provider: Callable, *, order: int = 100) -> None:
    if provider not in [p for _, p in _PANEL_PROVIDERS]:
        _PANEL_PROVIDERS.append((order, provider))
        _PANEL_PROVIDERS.sort(key=lambda item: item[0])


def dashboard_panels(request) -> list[dict]:
    """Each panel: ``{"title", "template", "context"}``; providers return ``None`` to show nothing."""
    if getattr(request, "organisation", None) is None:
        return []
    panels = []
    for _, provider in _PANEL_PROVIDERS:
        panel = provider(request)
        if panel:
            panels.extend(panel if isinstance(panel, list) else [panel])
    return panels
