"""A value's publication status where its source states one (issue 17), shown as a flag.

The BDL API states one per value: attribute 9, symbol "s",
"Szacunki wstępne" in its real `/attributes` answer (tests/data/bdl/pyBDL_samples). The
loader stores it as the flag `preliminary_estimate`, which the API lists in `flags` and the
web client says in words, in Polish and English. The MF Rb reports state a version
(`Naglowek/Wersja`): a total with a report above version 0, a corrected re-submission, is
flagged `revised_at_source` (tests/loaders/test_mf_rb.py). Sources that give none carry none.
"""

import json
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import text

from domains.indicators.catalogue import Catalogue, Formula, Term, default_catalogue
from domains.indicators.engine import compute_all
from loaders.bdl.api_json import ATTRIBUTES
from loaders.mf_rb import load_mf_rb
from loaders.mf_rb.aggregates import PARTIAL_FLAG, REVISED_FLAG
from service.web.labels import flag_text
from tests.loaders.teryt_db import teryt_engine, teryt_template

__all__ = ["teryt_engine", "teryt_template"]

SAMPLES = Path(__file__).resolve().parent / "data" / "bdl" / "pyBDL_samples"


def test_bdl_s_preliminary_attribute_is_the_preliminary_flag():
    listed = json.loads((SAMPLES / "samples_raw_attributes.json").read_text(encoding="utf-8"))
    preliminary = [a for a in listed["list_attributes"] if a["description"] == "Szacunki wstępne"]
    assert [(a["id"], a["symbol"]) for a in preliminary] == [(9, "s")]
    assert ATTRIBUTES[9].flag == "preliminary_estimate"
    assert not ATTRIBUTES[9].missing  # a value, to be shown with its status


def test_the_preliminary_flag_reads_as_a_publication_status_in_both_languages():
    assert flag_text("preliminary_estimate", "pl").startswith("status publikacji: dane wstępne")
    assert flag_text("preliminary_estimate", "en").startswith("publication status: preliminary")


def test_the_revised_flag_reads_as_a_publication_status_in_both_languages():
    assert REVISED_FLAG == "revised_at_source"
    assert flag_text(REVISED_FLAG, "pl").startswith("status publikacji: dane korygowane")
    assert flag_text(REVISED_FLAG, "en").startswith("publication status: revised")


# --- an indicator carries the flags of its denominator too ----------------------------------

KUTNO_RB = Path(__file__).resolve().parent / "data" / "mf"
KUTNO = "1002011"


def _share_of_budget() -> Catalogue:
    """SYNTHETIC definition over real figures: Kutno schools' dział 926 (sport) in their whole
    2022 Rb-28S, the shape of `geodezja_kartografia`'s share of the budget. Dział 926 comes only
    from version-0 reports; the whole budget includes four corrected ones."""
    base = default_catalogue()
    share = msgspec.structs.replace(
        base.indicators[0],
        code="test.share_926",
        levels=["gmina"],
        formula=Formula(
            numerator=[Term(source="mf_rb28s", code="dzial:926")],
            denominator=[Term(source="mf_rb28s", code="suma:wszystkie")],
            multiplier=100,
        ),
    )
    return Catalogue(domains=base.domains, indicators=[share])


async def test_an_indicator_carries_its_denominators_publication_status(teryt_engine):
    await load_mf_rb(teryt_engine, KUTNO_RB / "Sprawozdania[2022][IVKwartał] Wydatki.xml")
    async with teryt_engine.begin() as conn:
        inputs = dict(
            (
                await conn.execute(
                    text(
                        "SELECT v.code, o.flag FROM observation o JOIN variable v "
                        "ON v.id = o.variable_id WHERE o.teryt = :t AND o.year = 2022 "
                        "AND v.code IN ('dzial:926', 'suma:wszystkie')"
                    ),
                    {"t": KUTNO},
                )
            ).all()
        )
        await compute_all(conn, _share_of_budget(), run_id=0)
        row = (
            await conn.execute(
                text(
                    "SELECT value, numerator, denominator, flags FROM indicator_value "
                    "WHERE indicator_code = 'test.share_926' AND teryt = :t AND year = 2022"
                ),
                {"t": KUTNO},
            )
        ).one()
    assert inputs == {
        "dzial:926": PARTIAL_FLAG,
        "suma:wszystkie": f"{PARTIAL_FLAG};{REVISED_FLAG}",
    }
    assert (row.numerator, row.denominator) == (pytest.approx(887832.87), 44810331.99)
    assert row.value == pytest.approx(887832.87 / 44810331.99 * 100)  # 1.98 %
    # The numerator's flag and the denominator's, the shared one once.
    assert row.flags == [PARTIAL_FLAG, REVISED_FLAG]
