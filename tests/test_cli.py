"""The `miarka` command as a steward runs it: a real process against a real database."""

import os
import subprocess
import sys

import httpx

from tests.conftest import TEST_DATA
from tests.plugin import small_data_dir
from tests.serving import wait_ready

BAD = TEST_DATA / "teryt" / "bad"


def miarka(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env={**os.environ, "DATABASE_URL": database_url, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_load_teryt_then_runs_shows_the_published_run(fresh_db_url):
    loaded = miarka("load", "teryt", database_url=fresh_db_url)
    assert loaded.returncode == 0, loaded.stderr
    assert "published" in loaded.stderr
    assert "inserted 4,348" in loaded.stderr
    runs = miarka("runs", database_url=fresh_db_url)
    assert runs.returncode == 0, runs.stderr
    assert "TERC_Urzedowy_2025-11-18.csv" in runs.stdout
    assert "published" in runs.stdout


def test_refused_file_exits_2_with_a_table_of_file_row_field(fresh_db_url):
    refused = miarka("load", "teryt", str(BAD / "unknown_rodz.csv"), database_url=fresh_db_url)
    assert refused.returncode == 2
    assert "Refused: nothing published was changed" in refused.stderr
    assert "unknown_rodz.csv" in refused.stderr
    assert "RODZ" in refused.stderr
    assert "unknown RODZ '7'" in refused.stderr
    runs = miarka("runs", database_url=fresh_db_url)
    assert "failed" in runs.stdout


def test_serve_migrates_loads_the_register_and_answers(fresh_db_url, unused_tcp_port, tmp_path):
    # Only the register's files: the first start over every shipped file is bench/load_shipped.py's
    # measurement, and the same load_shipped builds the suite's loaded template.
    data_dir = small_data_dir(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(unused_tcp_port)],
        env={**os.environ, "DATABASE_URL": fresh_db_url, "MIARKA_DATA_DIR": str(data_dir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{unused_tcp_port}"
        wait_ready(base)
        body = httpx.get(f"{base}/api/v1/units", params={"level": "gmina"}, timeout=10).json()
        assert body["total"] == len(body["items"]) == 2479
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "first start: loading shipped data" in output or "published" in output
    assert process.returncode in (0, 143, -15)
