"""Fixtures for loader tests that need a source API: a replay server on 127.0.0.1."""

from collections.abc import Iterator

import pytest

from tests.bdl_replay import ReplayServer


@pytest.fixture
def bdl_replay_server() -> Iterator[ReplayServer]:
    """A BDL API v1 look-alike serving saved real answers; see tests/bdl_replay.py."""
    server = ReplayServer()
    server.start()
    yield server
    server.stop()
