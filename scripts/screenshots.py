"""Screenshots of the main pages as the demo convener sees them.

Run against a server loaded with ``seed_demo``::

    python scripts/screenshots.py --base http://127.0.0.1:8000 --out docs/screenshots/after

Uses Playwright's Python API with the system Chromium (``/usr/bin/chromium`` unless
``--chromium`` says otherwise), never a downloaded browser.
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# (file name, path under the base URL); {org} and {cop} are filled in from the arguments.
PAGES = [
    ("01-home", "/"),
    ("02-org-home", "/o/{org}/"),
    ("03-cop-overview", "/o/{org}/communities/{cop}/"),
    ("04-discussions", "/o/{org}/communities/{cop}/workstreams/"),
    ("05-sessions", "/o/{org}/communities/{cop}/sessions/"),
    ("06-data", "/o/{org}/communities/{cop}/data/"),
    ("07-dashboard", "/o/{org}/communities/{cop}/dashboard/"),
    ("08-evaluation", "/o/{org}/communities/{cop}/evaluation/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots/after")
    parser.add_argument("--org", default="northshore")
    parser.add_argument("--cop", default="sepsis")
    parser.add_argument("--email", default="convener@example.org")
    parser.add_argument("--password", default="demo-password-2026")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
        context = browser.new_context(
            base_url=args.base, viewport={"width": args.width, "height": 900}
        )
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", args.email)
        page.fill("input[name=password]", args.password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        for name, template in PAGES:
            url = template.format(org=args.org, cop=args.cop)
            response = page.goto(url)
            status = response.status if response else "?"
            page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(f"{status} {url} -> {out / name}.png")
        context.close()
        browser.close()


if __name__ == "__main__":
    main()
