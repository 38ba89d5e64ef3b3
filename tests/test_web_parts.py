"""Pure parts of the web client: number formats, words, charts."""

import re

import pytest
from litestar.config.app import AppConfig
from litestar.exceptions import HTTPException
from litestar.router import Router

from service.errors import EXCEPTION_HANDLERS
from service.web import PAGES, WebClientPlugin, fmt
from service.web.charts import (
    MAP_BORDER,
    MAP_PALETTE,
    bin_of,
    class_breaks,
    class_of,
    contrast_ratio,
    histogram_bins,
    palette_for,
    position_strip,
    sparkline,
    swatch_class,
)
from service.web.i18n import EN, PL
from service.web.labels import flag_text, peer_group_label
from service.web.names import display_name
from service.web.plugin import EMBED_PAGES
from service.web.templating import STATIC_DIR


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "text"),
    [
        (806200.0, 0, "pl", "806\u00a0200"),
        (806200.0, 0, "en", "806,200"),
        (2465.4434, 1, "pl", "2\u00a0465,4"),
        (5.942, 1, "pl", "5,9"),
        (-1.25, 1, "pl", "\u22121,2"),
        (-0.01, 1, "pl", "0,0"),
        (None, 1, "pl", "brak danych"),
        (None, 1, "en", "no data"),
        (0.0, 1, "pl", "0,0"),
    ],
)
def test_numbers_are_written_the_polish_way_and_missing_is_words(value, decimals, lang, text):
    assert fmt.number(value, decimals, lang) == text


def test_polish_and_english_have_the_same_words():
    assert set(PL) == set(EN)
    assert all(PL.values())
    assert all(EN.values())


def test_peer_groups_and_flags_in_plain_words():
    assert peer_group_label("gmina_miejska:>=100k", "pl") == (
        "gminy miejskie, 100 tys. mieszkańców i więcej"
    )
    assert peer_group_label("gmina_wiejska:5k-10k", "pl") == (
        "gminy wiejskie, od 5 do 10 tys. mieszkańców"
    )
    assert peer_group_label("powiat_ziemski", "en") == "land powiats"
    assert flag_text("denominator_year_2025", "pl", "powierzchnia") == (
        "powierzchnia wg stanu na 2025 r."
    )
    assert flag_text("sum_of_gmina", "pl").startswith("suma wartości gmin")
    assert flag_text("something_new", "pl") == "oznaczenie źródła: something_new"


def test_unit_names_say_what_the_unit_is():
    assert display_name("DOLNOŚLĄSKIE", "wojewodztwo", "pl") == "województwo dolnośląskie"
    assert display_name("żywiecki", "powiat_ziemski", "pl") == "powiat żywiecki"
    assert display_name("Kraków", "miasto_na_prawach_powiatu", "pl") == "Kraków"
    # The kinds themselves come from the register: test_web_links.py, placed_units.


def test_map_palette_stands_out_from_the_borders():
    for colour in MAP_PALETTE:
        assert contrast_ratio(colour, MAP_BORDER) >= 4.0, colour
    assert palette_for([1, 2]) == [MAP_PALETTE[-1]]
    assert palette_for([1, 2, 3, 4, 5, 6]) == list(MAP_PALETTE)
    # the darkest colour is the best class: the lowest values when lower is better
    assert palette_for([1, 2, 3, 4, 5, 6], "lower_better") == list(MAP_PALETTE)[::-1]
    assert palette_for([1, 2, 3], "higher_better") == [MAP_PALETTE[0], MAP_PALETTE[-1]]


def test_every_palette_colour_has_a_legend_swatch_class():
    """The legend paints swatches with classes, not style attributes (the CSP blocks those)."""
    css = (STATIC_DIR / "miarka.css").read_text(encoding="utf-8")
    for colour in MAP_PALETTE:
        assert f".{swatch_class(colour)} {{ background: {colour}; }}" in css, colour
    assert [swatch_class(c) for c in MAP_PALETTE] == [f"swatch-{n}" for n in range(1, 6)]


def test_quantile_classes_cover_every_value():
    values = [float(v) for v in range(1, 101)]
    breaks = class_breaks(values)
    assert breaks[0] == 1
    assert breaks[-1] == 100
    assert {class_of(breaks, v) for v in values} == set(range(5))
    assert class_of(breaks, None) is None


def test_a_long_tail_goes_to_one_open_bin():
    values = [float(v) for v in range(1000, 2000)] + [1_000_000.0]
    bins = histogram_bins(values)
    assert bins[-1].high is None
    assert sum(b.count for b in bins) == len(values)
    assert bin_of(bins, 1_000_000.0) == len(bins) - 1
    assert bin_of(bins, 1000.0) == 0


def test_charts_are_accessible_images_and_need_data():
    svg = sparkline("s", [(2020, 1.0), (2021, None), (2023, 2.0)], "Trend <x>", "2020: 1")
    assert svg is not None
    assert 'role="img"' in svg
    assert re.search(r'aria-labelledby="s-t s-d"', svg)
    assert '<title id="s-t">Trend &lt;x&gt;</title>' in svg
    assert sparkline("s", [(2020, 1.0)], "t", "d") is None
    strip = position_strip("p", value=5.0, q1=4.0, median=4.5, q3=6.0, title="t", desc="d")
    assert strip is not None
    assert "<desc" in strip
    assert position_strip("p", value=None, q1=1, median=2, q3=3, title="t", desc="d") is None


def test_the_plugin_adds_the_client_and_leaves_the_given_handlers_alone():
    given = dict(EXCEPTION_HANDLERS)
    config = WebClientPlugin().on_app_init(
        AppConfig(route_handlers=["api"], exception_handlers=given)
    )
    assert given == dict(EXCEPTION_HANDLERS)
    assert config.route_handlers[0] == "api"
    pages, static = config.route_handlers[1:]
    assert isinstance(pages, Router)
    assert isinstance(static, Router)  # the static files router
    assert len(pages.routes) == len(PAGES) + len(EMBED_PAGES)  # the pages and the embeds
    assert config.template_config is not None
    assert config.compression_config is not None
    assert config.compression_config.backend == "gzip"
    assert config.exception_handlers[HTTPException] is not EXCEPTION_HANDLERS[HTTPException]
    assert len(config.on_startup) == 1  # checks the map shapes before the first page
    assert len(config.before_send) == 1  # the security headers
