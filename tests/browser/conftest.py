"""Browser tests: Debian's Chromium, driven by Playwright, against the real Home Assistant that
``scripts/develop`` starts (simulated projector, its mains API as the smart plug, onboarded,
the projector added and calibrated), in Chinese (the demo's system language) and English.

One Home Assistant serves the whole browser package (it takes about a minute to come up, and
stops when the package is done, before the rest of the suite runs); every test logs in with a
fresh browser context and sets the user's language itself, and leaves the demo as it found it
(entries it adds are removed, the projector is back on).

Playwright's sync API keeps its event loop marked as running in the thread that uses it, which
would break Home Assistant's pytest plugin (its autouse fixtures run the test's event loop). So
the browser lives in one thread of its own, and the test functions here run in that thread
(``pytest_pyfunc_call`` below); fixtures and Home Assistant's plugin stay on the main thread.

``XGIMI_DEMO_URL=http://127.0.0.1:8123`` runs the tests against a demo that is already running
(``scripts/develop``) instead of starting one. Screenshots go to ``tests/browser/artifacts/``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
import contextlib
import os
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest
import pytest_socket

from scripts.develop import ROOT
from tests.browser.ui import (
    ARTIFACTS,
    BROWSER_LOCALE,
    CHROMIUM,
    CHROMIUM_ARGS,
    LANGUAGES,
    VIEWPORT,
    login,
    missing,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

READY_LINE = b"Ctrl-C stops everything."
START_TIMEOUT_S = 300


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None]:
    """Let the page fixture know whether its test failed (to keep a screenshot of it)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def verify_cleanup() -> None:
    """Replaces Home Assistant's check for what a test left behind (tasks and timers on its
    loop, threads, the time zone): no Home Assistant runs in this process here, and the worker
    threads of the browser's loop rightly outlive a test."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while READY_LINE not in log.read_bytes():
        if process.poll() is not None:
            raise RuntimeError(f"scripts/develop exited with {process.returncode}; see {log}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"scripts/develop was not ready in {START_TIMEOUT_S} s; see {log}")
        time.sleep(0.5)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM: scripts/develop stops Home Assistant and the simulator itself; what is left of
    its process group after that is killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo's base URL: ``scripts/develop`` in a fresh config dir on free ports."""
    if reason := missing():
        pytest.skip(reason)
    if url := os.environ.get("XGIMI_DEMO_URL"):
        yield url.rstrip("/")
        return
    # Free ports come from the OS; the function-scoped fixture that allows sockets
    # (tests/conftest.py) is not set up yet for a package-scoped one.
    pytest_socket.enable_socket()
    ports = [_free_port() for _ in range(3)]
    work = tmp_path_factory.mktemp("demo")
    log = work / "develop.log"
    command = [sys.executable, "-u", str(ROOT / "scripts" / "develop.py"), "--fresh"]
    command += ["--config", str(work / "config"), "--port", str(ports[0])]
    command += ["--adb-port", str(ports[1]), "--mains-port", str(ports[2])]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(process, log)
        yield f"http://127.0.0.1:{ports[0]}"
    finally:
        _stop(process)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copyfile(log, ARTIFACTS / "develop.log")


class BrowserThread:
    """The one thread that uses Playwright."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser")

    def run[T](self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self._executor.submit(function, *args, **kwargs).result()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


@pytest.fixture(scope="package")
def browser_thread() -> Iterator[BrowserThread]:
    if reason := missing():
        pytest.skip(reason)
    thread = BrowserThread()
    yield thread
    thread.shutdown()


@pytest.fixture(scope="package")
def browser(browser_thread: BrowserThread) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    playwright = browser_thread.run(lambda: sync_playwright().start())
    chromium = browser_thread.run(
        playwright.chromium.launch, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
    )
    yield chromium
    browser_thread.run(chromium.close)
    browser_thread.run(playwright.stop)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run the browser tests in the browser's thread."""
    if "browser" not in pyfuncitem.fixturenames:
        return None
    thread: BrowserThread = pyfuncitem.funcargs["browser_thread"]  # type: ignore[assignment]
    names = pyfuncitem._fixtureinfo.argnames
    thread.run(pyfuncitem.obj, **{name: pyfuncitem.funcargs[name] for name in names})
    return True


@pytest.fixture(params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    """The user's UI language: every test runs in Chinese and in English."""
    return str(request.param)


def _new_page(browser: Browser, demo: str, lang: str) -> Page:
    context = browser.new_context(
        viewport=VIEWPORT,
        locale=BROWSER_LOCALE[lang],
        timezone_id="Asia/Shanghai",
        base_url=demo,
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    login(page, demo, lang)
    return page


def _close_page(page: Page, failed_as: str | None) -> None:
    if failed_as is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"FAILED-{failed_as}.png")
    page.context.close()


@pytest.fixture
def page(
    browser_thread: BrowserThread,
    browser: Browser,
    demo: str,
    lang: str,
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """A fresh browser context, logged in as the demo user with ``lang`` as UI language. A
    failed test leaves a screenshot of its page in the artifacts."""
    page = browser_thread.run(_new_page, browser, demo, lang)
    yield page
    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    name = re.sub(r"[^\w.-]+", "_", request.node.name) if failed else None
    browser_thread.run(_close_page, page, name)


@pytest.fixture
def start_simulator(tmp_path: Path) -> Iterator[Callable[..., int]]:
    """Start another simulated projector (``python -m simulator``) on a free port; stopped after
    the test."""
    processes: list[subprocess.Popen[bytes]] = []

    def _start(profile: str, *args: str) -> int:
        port = _free_port()
        log = tmp_path / f"simulator-{port}.log"
        command = [sys.executable, "-m", "simulator", "--port", str(port), "--profile", profile]
        command += ["--keys-file", str(tmp_path / f"adb_keys-{port}"), *args]
        command += ["--lan-port", "0", "--discovery-port", "0"]  # the demo's has the defaults
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        deadline = time.monotonic() + 30
        while b"ready:" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the simulator did not start: {log.read_text()}")
            time.sleep(0.1)
        return port

    yield _start
    for process in processes:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
