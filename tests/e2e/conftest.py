"""Browser fixtures: the app served on a free local port, Debian's Chromium driven by Playwright at a
360×740 phone viewport, and what went wrong in the browser (console errors, CSP violations, server
errors) collected per page. A failing test leaves screenshots in test-artifacts/."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from config import TestingConfig

PROJECT_DIR = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = PROJECT_DIR / "test-artifacts"
PHONE_VIEWPORT = {"width": 360, "height": 740}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Runs before any page script: CSP violations are recorded even when they do not reach the console.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});
"""


@dataclass
class LiveServer:
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(app):
    """The test app (same database and uploads as the ``app`` fixture) served in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    executable = TestingConfig.CHROMIUM_PATH
    if not executable or not Path(executable).exists():
        reason = f"Chromium not found at {executable!r} (set CHROMIUM_PATH or install Debian's chromium)"
        print(f"\nskipping browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageProblems:
    """What went wrong while a page was open: console errors, uncaught exceptions, 5xx responses."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)

    def all(self, page=None, expected_statuses: tuple[int, ...] = ()) -> list[str]:
        """Every problem, plus the page's CSP violations when ``page`` is given. Chromium logs a page
        answered with an error status (e.g. a form re-shown with 422) as a console error; statuses in
        ``expected_statuses`` are not problems."""
        expected = tuple(f"status of {status} " for status in expected_statuses)
        console = [text for text in self.console_errors if not (expected and any(e in text for e in expected))]
        problems = [*console, *self.page_errors, *self.server_errors]
        if page is not None:
            problems += [f"CSP: {v}" for v in (page.evaluate("window.__cspViolations || []") or [])]
        return problems


@pytest.fixture
def open_page(browser, request):
    """Factory: ``open_page(java_script_enabled=True, **context_options)`` → (page, problems).

    Each call is a separate browser context (its own cookies), so a test can be a farmer and a buyer
    at once. Pages are screenshotted into test-artifacts/ when the test fails.
    """
    contexts = []
    pages = []

    def _open(java_script_enabled: bool = True, **options):
        options.setdefault("viewport", PHONE_VIEWPORT)
        options.setdefault("locale", "en-US")
        context = browser.new_context(java_script_enabled=java_script_enabled, **options)
        context.set_default_timeout(10_000)
        if java_script_enabled:
            context.add_init_script(RECORD_CSP_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        problems = PageProblems()
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and problems.console_errors.append(f"{message.text} ({message.location.get('url', '')})")
            ),
        )
        page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
        page.on(
            "response",
            lambda response: (
                response.status >= 500 and problems.server_errors.append(f"{response.status} {response.url}")
            ),
        )
        pages.append(page)
        return page, problems

    yield _open

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        for number, page in enumerate(pages, start=1):
            try:
                page.screenshot(path=str(ARTIFACTS_DIR / f"{stem}-{number}.png"), full_page=True)
            except Exception as error:  # a crashed page must not hide the test's own failure
                print(f"could not save a screenshot of page {number}: {error}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    """One phone-sized page with JavaScript on (``open_page`` also returns what went wrong on it)."""
    page, _problems = open_page()
    return page


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets fixtures see whether the test itself failed (for the screenshots above).
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
