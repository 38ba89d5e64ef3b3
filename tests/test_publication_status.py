"""A value's publication status where its source states one (issue 17), shown as a flag.

The BDL API states one per value: attribute 9, symbol "s",
"Szacunki wstępne" in its real `/attributes` answer (tests/data/bdl/pyBDL_samples). The
loader stores it as the flag `preliminary_estimate`, which the API lists in `flags` and the
web client says in words, in Polish and English. The MF Rb reports state a version
(`Naglowek/Wersja`): a total with a report above version 0, a corrected re-submission, is
flagged `revised_at_source` (tests/loaders/test_mf_rb.py). Sources that give none carry none.
"""

import json
import re
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import text

from domains.indicators.catalogue import Catalogue, Formula, Term, default_catalogue
from domains.indicators.engine import compute_all
from loaders.bdl.api_json import ATTRIBUTES
from loaders.mf_rb import load_mf_rb
from loaders.mf_rb.aggregates import PARTIAL_FLAG, REVISED_FLAG
from service.web.labels import flag_text, status_marks
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


def test_each_status_has_one_mark_per_language_whatever_the_flags_order():
    flags = [REVISED_FLAG, "sum_of_gmina", "preliminary_estimate", REVISED_FLAG]
    assert [mark for mark, _ in status_marks(flags, "pl")] == ["w", "k"]
    assert [mark for mark, _ in status_marks(flags, "en")] == ["p", "r"]
    assert status_marks(["sum_of_gmina", "denominator_year_2020"], "pl") == []


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


# --- the unit page marks a number's publication status, with a legend ------------------------

MARK = re.compile(
    r'<sup class="status-mark"><span aria-hidden="true">(\w)</span>'
    r'<span class="sr-only"> \(([^)]+)\)</span></sup>'
)
LEGEND = re.compile(r'<dt><span class="status-mark">(\w)</span></dt><dd>([^<]+)</dd>')


def _card(page: str, code: str) -> str:
    start = page.index(f'aria-labelledby="c-{code.replace(".", "-")}"')
    return page[start : page.index("</article>", start)]


def _value_line(card: str) -> str:
    start = card.index('<p class="value">')
    return card[start : card.index("</p>", start)]


async def test_kutnos_revised_budget_figures_are_marked_and_the_legend_explains_the_mark(client):
    """Kutno's 2022 figures from the shipped Rb-28S/Rb-27S (four corrected Rb-28S reports and
    one Rb-27S): spending and income per resident are marked revised; sport (dział 926, only
    version-0 reports) is not. Shipped data has no preliminary value for Kutno: no "w" mark,
    and no "w" in the legend."""
    page = (await client.get(f"/j/{KUTNO}")).text
    spent = _card(page, "kontekst.wydatki_ogolem")
    marks = MARK.findall(_value_line(spent))
    assert marks == [(
        "k", "status publikacji: dane korygowane: źródło poprawiło pierwotnie opublikowane dane"
    )]  # fmt: skip
    assert MARK.findall(_value_line(_card(page, "kontekst.dochody_ogolem")))[0][0] == "k"
    assert MARK.findall(_value_line(_card(page, "kultura_rekreacja.wydatki_sport"))) == []
    # The trend table marks the year too.
    assert re.search(r"<th scope=\"row\">2022</th><td class=\"n\">[^<]*<sup class=\"status-mark\"",
                     spent)  # fmt: skip
    legend = page[page.index('<section aria-labelledby="status-h"') :]
    legend = legend[: legend.index("</section>")]
    assert "Oznaczenia statusu publikacji" in legend
    assert LEGEND.findall(legend) == [
        ("k", "dane korygowane: źródło poprawiło pierwotnie opublikowane dane")
    ]
    assert {mark for mark, _ in MARK.findall(page)} == {"k"}  # only the marks used

    english = (await client.get(f"/j/{KUTNO}", params={"lang": "en"})).text
    legend_en = english[english.index('<section aria-labelledby="status-h"') :]
    assert LEGEND.findall(legend_en[: legend_en.index("</section>")]) == [
        ("r", "revised figures: the source corrected the figures first published")
    ]
    assert "Publication status marks" in legend_en

    report = (await client.get(f"/j/{KUTNO}/raport")).text
    assert MARK.findall(report)[0] == (
        "k", "status publikacji: dane korygowane: źródło poprawiło pierwotnie opublikowane dane"
    )  # fmt: skip
    legend_report = report[report.index('<section aria-labelledby="status-h"') :]
    assert LEGEND.findall(legend_report[: legend_report.index("</section>")]) == [
        ("k", "dane korygowane: źródło poprawiło pierwotnie opublikowane dane")
    ]


async def test_a_page_with_no_status_mark_has_no_legend(client):
    page = (await client.get("/j/1261011")).text  # Kraków: no MF Rb report shipped
    assert MARK.findall(page) == []
    assert 'aria-labelledby="status-h"' not in page
