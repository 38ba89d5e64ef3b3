"""What every benchmark needs: scratch databases (made fresh, dropped after) and local servers
on a free port of 127.0.0.1, waited for until they answer."""

import socket
import subprocess
import sys
import time
from collections.abc import Mapping

import asyncpg
import httpx

from loaders.shipped import load_shipped
from loaders.teryt import load_teryt
from service.db import make_engine, with_database
from service.migrate import upgrade
from service.settings import REPO_ROOT, Settings

REGISTER = REPO_ROOT / "data" / "teryt" / "TERC_Urzedowy_2025-11-18.csv"


async def fresh_database(server: str, name: str, *, register_only: bool = False) -> str:
    """Drop and create `name` on `server`, migrate it, load the shipped data (or only the TERC
    register); its URL."""
    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    url = with_database(server, name)
    await upgrade(url)
    engine = make_engine(url, Settings(database_url=url), statement_timeout_ms=0)
    if register_only:
        await load_teryt(engine, REGISTER)
    else:
        await load_shipped(engine, REPO_ROOT / "data")
    await engine.dispose()
    return url


async def drop_database(server: str, name: str) -> None:
    admin = await asyncpg.connect(server)
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    """`miarka serve` on 127.0.0.1:`port` with `env`, its output discarded."""
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_ready(
    url: str, process: subprocess.Popen[bytes] | None = None, seconds: float = 180
) -> float:
    """Seconds until `url` answers 200; fails when `process` exits first or time runs out."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before it was ready")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)
