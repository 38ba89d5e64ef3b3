"""The accessibility declaration (/deklaracja-dostepnosci): its sections, its settings.

Facts about the deploying body come only from `MIARKA_A11Y_*` settings; unset, the page shows
a marked placeholder, never an invented name, e-mail or phone.
"""

import html
import re
from datetime import date
from html.parser import HTMLParser

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from service.web.declaration_text import CHECKS, DECLARATION, LIMITATIONS

PATH = "/deklaracja-dostepnosci"
PLACEHOLDER_PL = "[do uzupełnienia przez podmiot wdrażający]"
PLACEHOLDER_EN = "[to be completed by the deploying body]"
HEADINGS_PL = [
    "Deklaracja dostępności",
    "Status pod względem zgodności z ustawą",
    "Treści niedostępne",
    "Przygotowanie deklaracji dostępności",
    "Jak sprawdzana jest dostępność serwisu",
    "Skróty klawiaturowe",
    "Informacje zwrotne i dane kontaktowe",
    "Procedura wnioskowo-skargowa",
    "Żądanie zapewnienia dostępności",
    "Skarga",
    "Rzecznik Praw Obywatelskich",
    "Dostępność architektoniczna",
    "Aplikacje mobilne",
]
HEADINGS_EN = [
    "Accessibility statement",
    "Compliance status",
    "Non-accessible content",
    "Preparation of this accessibility statement",
    "How the accessibility of the service is checked",
    "Keyboard shortcuts",
    "Feedback and contact information",
    "Requests and complaints",
    "Request to make content accessible",
    "Complaint",
    "Commissioner for Human Rights",
    "Architectural accessibility",
    "Mobile applications",
]
CONFIGURED = {
    "a11y_entity": "Urząd Testowy w Przykładowie",
    "a11y_site": "https://miarka.example.test/",
    "a11y_published": date(2025, 3, 1),
    "a11y_updated": date(2026, 11, 30),
    "a11y_status": "partially_compliant",
    "a11y_prepared": date(2026, 1, 15),
    "a11y_reviewed": date(2026, 12, 1),
    "a11y_assessment": "self_assessment",
    "a11y_contact_name": "Osoba Testowa",
    "a11y_contact_email": "dostepnosc@example.test",
    "a11y_contact_phone": "+48 00 000 00 00",
    "a11y_address": "ul. Testowa 1, 00-000 Przykładowo",
    "a11y_building": "Wejście do budynku bez schodów; winda na wszystkie piętra.",
}


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.ids: dict[str, str] = {}
        self._open: list[tuple[str, str | None, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag) or found.get("id", "").startswith("a11y-"):
            self._open.append((tag, found.get("id"), []))

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            name, id_, parts = self._open.pop()
            text = re.sub(r"\s+", " ", "".join(parts)).strip()
            if re.fullmatch(r"h[1-6]", name):
                self.headings.append((name, text))
            if id_:
                self.ids[id_] = text

    def handle_data(self, data):
        for _, _, parts in self._open:
            parts.append(data)


def parse(html: str) -> _Headings:
    parser = _Headings()
    parser.feed(html)
    return parser


@pytest.fixture
async def empty_settings(fresh_db_url: str) -> Settings:
    return Settings(database_url=fresh_db_url, redis_url=None, rate_limit_per_minute=0)


async def get_page(settings: Settings, path: str = PATH, **params: str):
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get(path, params=params, headers={"Accept": "text/html"})
    return response


def test_declaration_words_have_the_same_keys_and_items_in_both_languages():
    assert DECLARATION["pl"].keys() == DECLARATION["en"].keys()
    assert len(LIMITATIONS["pl"]) == len(LIMITATIONS["en"])
    assert len(CHECKS["pl"]) == len(CHECKS["en"])


def test_accessibility_settings_are_read_from_the_environment():
    settings = Settings.from_env(
        {
            "MIARKA_A11Y_ENTITY": "Gmina Przykładowo",
            "MIARKA_A11Y_PUBLISHED": "2025-03-01",
            "MIARKA_A11Y_STATUS": "non_compliant",
            "MIARKA_A11Y_ASSESSMENT": "third_party",
        }
    )
    assert settings.a11y_entity == "Gmina Przykładowo"
    assert settings.a11y_published == date(2025, 3, 1)
    assert settings.a11y_status == "non_compliant"
    assert settings.a11y_assessment == "third_party"
    assert Settings.from_env({}).a11y_contact_email is None


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"MIARKA_A11Y_PUBLISHED": "1.03.2025"}, "a11y_published"),
        ({"MIARKA_A11Y_STATUS": "zgodna"}, "a11y_status"),
    ],
)
def test_malformed_accessibility_setting_stops_start_up_naming_it(env, words):
    with pytest.raises(ValueError, match=words):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("lang", "headings", "placeholder"),
    [("pl", HEADINGS_PL, PLACEHOLDER_PL), ("en", HEADINGS_EN, PLACEHOLDER_EN)],
)
async def test_declaration_has_the_legal_sections_and_placeholders_when_settings_are_empty(
    empty_settings, lang, headings, placeholder
):
    response = await get_page(empty_settings, lang=lang)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in response.text
    parsed = parse(response.text)
    assert [text for _, text in parsed.headings] == headings
    assert parsed.headings[0][0] == "h1"
    for fact in (
        "a11y-podmiot",
        "a11y-data-publikacja",
        "a11y-data-aktualizacja",
        "a11y-data-sporzadzenie",
        "a11y-osoba",
        "a11y-email",
        "a11y-telefon",
    ):
        assert parsed.ids[fact] == placeholder, fact
    assert response.text.count('class="placeholder"') == 12  # every MIARKA_A11Y_* but the URL
    assert "mailto:" not in response.text
    assert "tel:" not in response.text
    # Unset, the site's address is where the page was asked for.
    assert parsed.ids["a11y-url"] == "Miarka (http://testserver.local/)"
    text = html.unescape(response.text)
    for item in (*LIMITATIONS[lang], *CHECKS[lang]):
        assert item in text


async def test_declaration_shows_the_configured_facts_and_no_placeholder(empty_settings):
    settings = msgspec.structs.replace(empty_settings, **CONFIGURED)
    response = await get_page(settings)
    assert response.status_code == 200
    parsed = parse(response.text)
    assert PLACEHOLDER_PL not in response.text
    assert 'class="placeholder"' not in response.text
    assert parsed.ids["a11y-podmiot"] == "Urząd Testowy w Przykładowie"
    assert parsed.ids["a11y-url"] == "Miarka (https://miarka.example.test/)"
    assert parsed.ids["a11y-data-publikacja"] == "2025-03-01"
    assert parsed.ids["a11y-data-aktualizacja"] == "2026-11-30"
    assert parsed.ids["a11y-data-sporzadzenie"] == "2026-01-15"
    assert parsed.ids["a11y-osoba"] == "Osoba Testowa"
    assert parsed.ids["a11y-email"] == "dostepnosc@example.test"
    assert parsed.ids["a11y-telefon"] == "+48 00 000 00 00"
    assert 'href="mailto:dostepnosc@example.test"' in response.text
    assert 'href="tel:+48000000000"' in response.text
    assert parsed.ids["a11y-status"].startswith("Strona internetowa jest częściowo zgodna z")
    assert "2026-12-01" in response.text
    assert "samooceny przeprowadzonej przez podmiot publiczny" in response.text
    assert "ul. Testowa 1, 00-000 Przykładowo" in response.text
    assert "winda na wszystkie piętra" in response.text
    english = await get_page(settings, lang="en")
    assert "This website is partially compliant with" in english.text
    assert "a self-assessment carried out by the public body" in english.text


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/porownaj", 200), (PATH, 200), ("/j/9999999", 404), ("/nie-ma-takiej", 404)],
)
async def test_every_page_footer_links_to_the_declaration(empty_settings, path, status):
    async with AsyncTestClient(app=create_app(empty_settings)) as client:
        for lang, href, label in (
            ("pl", f'href="{PATH}"', "Deklaracja dostępności"),
            ("en", f'href="{PATH}?lang=en"', "Accessibility statement"),
        ):
            response = await client.get(
                path, params={"lang": lang}, headers={"Accept": "text/html"}
            )
            assert response.status_code == status, (path, response.text[:300])
            footer = response.text.split('<footer class="foot">', 1)[1]
            assert f"<a {href}>{label}</a>" in footer, (path, lang)
