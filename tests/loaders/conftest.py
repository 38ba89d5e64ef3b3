"""Fixtures for loader tests that need a source API: a replay server on 127.0.0.1."""

from collections.abc import Iterator

import pytest

from tests.bdl_replay import ReplayServer
from tests.replay_server import FakeClock


@pytest.fixture
def bdl_replay_server() -> Iterator[ReplayServer]:
    """A BDL API v1 look-alike serving saved real answers; see tests/bdl_replay.py."""
    with ReplayServer() as server:
        yield server


@pytest.fixture
def clock() -> FakeClock:
    """The time a client under test waits on: its waits are noted, none is slept."""
    return FakeClock()
