"""Print a report's HTML to PDF with headless Chromium (through the ``playwright`` package).

The reports are self-contained (inline stylesheet, static SVG charts, no script and nothing
fetched), so Chromium renders exactly what the HTML shows; the page is loaded with JavaScript
and network off. Chromium is Debian's (``apt-get install chromium``), found at
``/usr/bin/chromium`` or on the ``PATH``; Playwright's own browser download is not needed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from steward.errors import StewardError

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
NO_CHROMIUM = ("PDF reports need Chromium: install it (`apt-get install chromium`), or write "
               "the report as HTML")
NO_PLAYWRIGHT = "PDF reports need the playwright package (`uv sync` installs it)"


class PdfUnavailable(StewardError):
    """Chromium or Playwright is missing on this machine."""

    status = 503
    title = "Service Unavailable"


def chromium_path() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    raise PdfUnavailable(NO_CHROMIUM)


def html_to_pdf(html: str, *, timeout_ms: int = 60_000) -> bytes:
    """A4 PDF of a self-contained HTML document, backgrounds printed."""
    executable = chromium_path()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfUnavailable(NO_PLAYWRIGHT) from None
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(java_script_enabled=False, offline=True)
                page = context.new_page()
                page.route("**/*", lambda route: route.abort())  # nothing leaves the page
                page.set_content(html, wait_until="load", timeout=timeout_ms)
                return page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                                margin={"top": "12mm", "bottom": "14mm", "left": "10mm",
                                        "right": "10mm"},
                                display_header_footer=True, header_template="<span></span>",
                                footer_template='<div style="font-size:8px;width:100%;'
                                'text-align:center;color:#667085"><span class="pageNumber">'
                                '</span> / <span class="totalPages"></span></div>')
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise PdfUnavailable(f"Chromium could not print the report: "
                             f"{str(exc).splitlines()[0]}") from None
