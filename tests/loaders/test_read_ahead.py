"""Reading ahead in another process (loaders/read_ahead.py): the same result as reading here,
and the same refusal when the file is broken, raised where the loader records it."""

from pathlib import Path

import pytest

from loaders.cke.e8_parse import parse_cke_e8
from loaders.errors import LoadRefused
from loaders.read_ahead import Read, read_file, reading_ahead
from tests.conftest import TEST_DATA

SLICE = TEST_DATA / "cke" / "E8_2023_slice_derived.xlsx"
TRUNCATED = TEST_DATA / "bad" / "cke_e8" / "truncated.xlsx"
READ = Read(parse_cke_e8, (SLICE,), {"year": 2023})
BROKEN = Read(parse_cke_e8, (TRUNCATED,), {"year": 2023})


async def test_a_file_read_ahead_is_what_reading_it_here_gives():
    here = parse_cke_e8(SLICE, year=2023)
    with reading_ahead() as ahead:
        ahead.start(READ)
        future = ahead.take(Read(parse_cke_e8, (SLICE,), {"year": 2023}))
        assert future is not None  # started in the worker, under an equal Read
        ahead.start(READ)
        there = await read_file(READ)
        assert ahead.take(READ) is None  # taken once
    assert there == here
    assert len(there.schools) == 48
    assert future.result() == here


async def test_a_broken_file_is_refused_as_when_read_here(tmp_path: Path):
    with pytest.raises(LoadRefused) as direct:
        parse_cke_e8(TRUNCATED, year=2023)
    with reading_ahead() as ahead:
        ahead.start(BROKEN)
        with pytest.raises(LoadRefused) as ahead_refusal:
            await read_file(BROKEN)
    assert ahead_refusal.value.problems == direct.value.problems


async def test_without_reading_ahead_the_file_is_read_in_a_thread():
    assert await read_file(READ) == parse_cke_e8(SLICE, year=2023)
