"""A real `miarka serve` on a fresh database and Debian's chromium driven by Playwright.

Nothing here skips: without chromium the set-up installs it with apt-get (the issue's rule:
never download a browser through Playwright), and when that is impossible the tests fail with
the reason. The server is the real CLI in a subprocess, started on a copy of the loaded
template (the first start over an empty database is tested in tests/test_cli.py).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from filelock import FileLock
from playwright.async_api import Browser, async_playwright

from service.db import with_database
from service.settings import REPO_ROOT
from tests.conftest import _RUN, _admin

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
SERVER_START_SECONDS = 180


def _install_chromium() -> None:
    if shutil.which("apt-get") is None:
        pytest.fail(f"{CHROMIUM} is missing and there is no apt-get to install Debian's chromium")
    if os.geteuid() != 0:
        pytest.fail(f"{CHROMIUM} is missing; install it: sudo apt-get install -y chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")


@pytest.fixture(scope="session")
def chromium() -> Path:
    # Every xdist worker gets here; one installs while the others wait (apt holds one lock).
    with FileLock(Path(tempfile.gettempdir()) / "miarka-chromium-install.lock"):
        if not CHROMIUM.exists():
            _install_chromium()
    if not CHROMIUM.exists():
        pytest.fail(f"chromium was installed but {CHROMIUM} is still missing")
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Screenshots, axe results and page timings, kept for the next reader (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
async def browser_db_url(pg_server_url: str, loaded_template: str) -> AsyncIterator[str]:
    """A copy of the loaded template (every shipped file, loaded once per run) for a whole
    module: the server started on it is shared by the module's tests, and a function-scoped
    fixture cannot outlive one test. The server finds the data there and starts at once."""
    name = f"miarka_test_{_RUN}_browser"
    await _admin(pg_server_url, f'CREATE DATABASE "{name}" TEMPLATE "{loaded_template}"')
    yield with_database(pg_server_url, name)
    await _admin(pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(browser_db_url: str, artifacts: Path) -> Iterator[str]:
    """`miarka serve` on a free port; it migrates and loads the shipped data on first start.

    No REDIS_URL: the server keeps its response cache in memory, so it never shares cached
    bodies with the test suite's Redis database.
    """
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {"DATABASE_URL": browser_db_url, "PYTHONPATH": str(REPO_ROOT)}
    log_path = artifacts / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"miarka serve exited with {process.returncode}:\n{log_path.read_text()}"
                )
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"miarka serve did not get ready:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


def save_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
