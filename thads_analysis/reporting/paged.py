"""Report pages on paper: the A4 print stylesheet and the PDF printed from a page by headless
Chromium, which lays out CSS paged media (page size, margins, page numbers in the margin, table
headers repeated on each page, rows and figures kept whole)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..i18n import N_, _
from ..paths import write_atomic

# The browser: THADS_CHROMIUM when set, else the first of these on the PATH.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = N_("install Chromium (Debian/Ubuntu: sudo apt install chromium; Windows/macOS: Google Chrome) or "
                  "set THADS_CHROMIUM to the browser's path")  # a message id: shown as _(INSTALL_HINT)


def with_print_style(page: str) -> str:
    """An exported HTML page with the A4 print stylesheet in its head (the sample mark in the top
    margin of every printed page when the page is of the sample)."""
    from ..ingest.schema import SAMPLE_MARK
    from .templating import ENV

    style = ENV.get_template("_print.html.j2").render(sample_mark=SAMPLE_MARK if 'class="sample-fixed"' in page else "")
    return page.replace("</head>", style + "</head>", 1) if "</head>" in page else style + page


def browser() -> str | None:
    """The path of a Chromium-type browser, or None."""
    given = os.environ.get("THADS_CHROMIUM")
    if given:
        return shutil.which(given) or (given if os.access(given, os.X_OK) else None)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


class PdfError(RuntimeError):
    """A PDF that could not be printed, and what to do."""


def print_pdf(page: Path, pdf: Path, timeout: float = 120) -> Path:
    """Print the HTML file ``page`` to ``pdf`` (A4, by its print stylesheet), written whole or not
    at all. PdfError when there is no browser or it fails."""
    found = browser()
    if found is None:
        raise PdfError(_("no PDF of {page}: Chromium was not found; {hint}. The HTML page is written.").format(
            page=page.name, hint=_(INSTALL_HINT)))
    with tempfile.TemporaryDirectory(prefix="thads-pdf-") as scratch:
        out = Path(scratch) / "page.pdf"
        # A profile of its own: browsers running at once do not share one; no sandbox, as under root.
        command = [found, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                   f"--user-data-dir={Path(scratch) / 'profile'}", f"--print-to-pdf={out}",
                   Path(page).resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(_("no PDF of {page}: Chromium did not finish within {seconds} s").format(
                page=page.name, seconds=f"{timeout:.0f}")) from None
        if not out.exists() or out.stat().st_size == 0 or not out.read_bytes().startswith(b"%PDF"):
            said = (done.stderr or "").strip().splitlines()[-1:] or [_("no message")]
            raise PdfError(_("no PDF of {page}: Chromium ({browser}) failed: {said}").format(
                page=page.name, browser=found, said=said[0]))
        write_atomic(pdf, out.read_bytes())
    return pdf
