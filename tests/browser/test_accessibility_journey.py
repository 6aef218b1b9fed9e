"""Accessibility of the main journeys: axe-core finds no serious or critical violation, every page can be used
with the keyboard alone, and focus is visible.

axe-core (``tests/browser/vendor/axe.min.js``, refreshed by ``scripts/vendor_axe.sh``) is injected into each page
through Playwright. The number of violations per page (all impacts) is printed, so a run shows where the
remaining moderate and minor ones are. Add a page to ``PAGES`` to cover it: a name, the user, and a function of
the live server URL that returns the path (it may look records up).
"""

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def _first_audit_checklist() -> str:
    from audits.models import Audit

    audit = Audit.objects.filter(organisation__slug="northwind").order_by("reference").first()
    return f"/audits/internal/{audit.pk}/?tab=checklist"


def _first_system_form() -> str:
    from registry.models import AISystem

    system = AISystem.objects.filter(organisation__slug="northwind").order_by("reference").first()
    return f"/inventory/systems/{system.pk}/edit/"


# (name, user, path or a function returning the path). The evidence-pack request page joins this list once merged.
PAGES = [
    ("login", None, "/login/"),
    ("dashboard", "officer", "/"),
    ("inventory list", "officer", "/inventory/systems/"),
    ("inventory form (new)", "officer", "/inventory/systems/new/"),
    ("inventory form (edit)", "officer", _first_system_form),
    ("risk register", "officer", "/risks/"),
    ("risk heat map", "officer", "/risks/heat-map/"),
    ("statement of applicability", "officer", "/controls/soa/"),
    ("audit checklist", "auditor", _first_audit_checklist),
    ("import", "officer", "/inventory/import/"),
    ("webhooks", "admin", "/integrations/webhooks/"),
    ("oscal export", "officer", "/integrations/oscal/"),
    ("evidence pack request", "auditor", "/reports/packs/"),
    ("my reviews", "officer", "/reviews/my/"),
    ("guided setup", "officer", "/setup/"),
    ("public trust page", None, "/trust/northwind/"),
]


def _axe(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return result


@pytest.mark.browser
def test_main_pages_have_no_serious_axe_violations(browser, live_server, transactional_db):
    call_command("seed_demo")
    report, blocking = {}, {}
    current_user = "none"
    context = None
    try:
        for name, user, path in PAGES:
            if user != current_user or context is None:
                if context is not None:
                    context.close()
                # The pages' CSP (script-src 'self') would block injecting axe-core; the pages' own scripts
                # are unaffected, and the CSP itself is checked by the security tests.
                context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB", bypass_csp=True)
                page = context.new_page()
                if user:
                    login(page, live_server, user)
                current_user = user
            url = path() if callable(path) else path
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, f"{name}: {url} answered {response.status}"
            violations = _axe(page)
            report[name] = violations
            bad = [v for v in violations if v["impact"] in BLOCKING]
            if bad:
                blocking[name] = bad
    finally:
        if context is not None:
            context.close()
    print("\naxe-core violations per page (serious+critical / all):")
    for name, violations in report.items():
        serious = sum(1 for v in violations if v["impact"] in BLOCKING)
        print(f"  {name:32} {serious} / {len(violations)}  {', '.join(sorted({v['id'] for v in violations}))}")
    assert blocking == {}, json.dumps(blocking, indent=1)


def _focus_info(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return {tag: 'body'};
            const s = getComputedStyle(el);
            const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
            return {tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40),
                    visible, href: el.getAttribute('href') || ''};
        }"""
    )


@pytest.mark.browser
def test_keyboard_only_journey_with_visible_focus(page, live_server, transactional_db):
    """Sign in and register an AI system with the keyboard alone; every focused control shows where it is."""
    call_command("seed_demo")
    page.goto(f"{live_server.url}/login/")

    # The username field has the focus on arrival; Tab leads on to the password, Enter signs in.
    assert page.evaluate("() => document.activeElement.name") == "username"
    page.keyboard.type("officer")
    page.keyboard.press("Tab")
    page.keyboard.type("aims-demo")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    # The first Tab on a page reaches the skip link, which moves the focus to the content.
    page.keyboard.press("Tab")
    first = _focus_info(page)
    assert first["href"] == "#main" and first["visible"], first
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    # Walk the dashboard with Tab: every stop has a visible focus indicator, and the nav is reachable.
    page.goto(f"{live_server.url}/")
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        info = _focus_info(page)
        if info["tag"] == "body":
            continue
        assert info["visible"], f"no visible focus on {info}"
        seen.append(info)
    assert any(i["href"] == "/inventory/systems/" for i in seen) or len(seen) >= 20

    # Register an AI system: fill the form with the keyboard and submit with Enter.
    page.goto(f"{live_server.url}/inventory/systems/new/")
    page.get_by_role("textbox", name="Name", exact=True).focus()
    page.keyboard.type("Keyboard-only registered system")
    page.get_by_label("Scope justification").focus()
    page.keyboard.type("Registered to check keyboard access.")
    assert _focus_info(page)["visible"]
    page.get_by_role("button", name="Save").focus()
    assert _focus_info(page)["visible"]
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/inventory/systems/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Keyboard-only registered system")
