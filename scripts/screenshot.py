"""Screenshot pages of a running AIMS with headless Chromium: [AIMS_URL=http://127.0.0.1:PORT] python scripts/screenshot.py USER PATH OUT.png ..."""

import os
import sys

from playwright.sync_api import sync_playwright

BASE = os.environ.get("AIMS_URL", "http://127.0.0.1:8000")  # helpers run their own servers on other ports


def main(user, pairs):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(BASE + "/login/")
        page.fill("#id_username", user)
        page.fill("#id_password", "aims-demo")
        page.click("button[type=submit]")
        for path, out in pairs:
            page.goto(BASE + path)
            page.screenshot(path=out, full_page=True)
            print(out, page.title())
        browser.close()


if __name__ == "__main__":
    args = sys.argv[2:]
    main(sys.argv[1], list(zip(args[::2], args[1::2], strict=True)))
