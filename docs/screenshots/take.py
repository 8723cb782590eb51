"""Screenshots of the main pages of the demo, for the README.

    .venv/bin/python docs/screenshots/take.py            # seed, serve on :8123, shoot
    .venv/bin/python docs/screenshots/take.py --base-url http://127.0.0.1:8000  # a running server

Loads the demo (``seed_demo`` is idempotent), starts a development server unless
``--base-url`` is given, logs in through the login form as the demo personas in the
system's headless Chromium and saves one PNG per page in this folder. Pages are found
by URL name (and by following a link where they need an id), so the script survives a
redesign of the templates: run it again after one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ORG = "northshore"
PASSWORD = "demo-password-2026"
WIDTH, HEIGHT = 1280, 900

# (file, persona, URL names, kwargs, link text to follow from that page or None)
SHOTS = [
    ("1-cop-overview.png", "convener", ["communities:detail"], {"community_slug": "sepsis"}, None),
    ("2-design-gate.png", "convener", ["communities:design_checklist"],
     {"community_slug": "alcohol-outreach"}, None),
    ("3-discussions.png", "member", ["communities:workstreams"], {"community_slug": "sepsis"},
     "Screening and recognition"),
    ("4-knowledge.png", "member", ["knowledge:asset_list"], {}, None),
    ("5-sessions.png", "facilitator", ["sessions:session_list"], {"community_slug": "sepsis"},
     None),
    ("6-run-chart.png", "steward", ["dashboards:dashboard_home"],
     {"community_slug": "sepsis"}, "Sepsis Six bundle completed within one hour"),
    ("7-sponsor-dashboard.png", "sponsor",
     ["dashboards:dashboard_sponsor"],
     {"community_slug": "sepsis"}, None),
]  # fmt: skip


def django_url(names: list[str], **kwargs) -> str:
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name, kwargs={"org_slug": ORG, **kwargs})
        except NoReverseMatch:
            continue
    raise NoReverseMatch(names)


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):  # noqa: S310 (http)
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not answer")


def shoot(base: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not chromium:
        raise SystemExit("needs Chromium (Debian package 'chromium')")
    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for filename, persona, names, kwargs, follow in SHOTS:
            context = browser.new_context(
                base_url=base, viewport={"width": WIDTH, "height": HEIGHT}
            )
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Email address").fill(f"{persona}@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state()
            page.goto(django_url(names, **kwargs))
            if follow:
                page.locator("main").get_by_role("link", name=follow).first.click()
                page.wait_for_load_state()
            path = HERE / filename
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)
            print(f"{filename}: {persona} at {page.url}")
            context.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="a server already running with the demo loaded")
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "copcore.settings.development")
    import django

    django.setup()
    python = sys.executable
    server = None
    base = args.base_url
    if base is None:
        subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, check=True)
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen(
            [python, "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        wait_for(base)
        shoot(base.rstrip("/"))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
