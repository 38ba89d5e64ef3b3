"""The words of the accessibility declaration (deklaracja dostępności), in Polish and English.

The structure follows the Minister's template for declarations under the act of 4 April 2019
on the digital accessibility of websites and mobile applications of public bodies (art. 10).
Only what the project knows is written here: how it checks its pages and the limitations it
knows of. Facts about the deploying body come from settings (`MIARKA_A11Y_*`, see
service/settings.py); the page shows `placeholder` where one is not set. `DECLARATION["pl"]`
and `DECLARATION["en"]` have the same keys, as do the lists (a test checks).
"""

from collections.abc import Mapping, Sequence
from typing import Final

from schemas.indicators import Lang

ACT_PL: Final = (
    "ustawą z dnia 4 kwietnia 2019 r. o dostępności cyfrowej stron internetowych i aplikacji "
    "mobilnych podmiotów publicznych"
)
ACT_EN: Final = (
    "the Act of 4 April 2019 on the digital accessibility of websites and mobile applications "
    "of public bodies"
)

PL: Final[dict[str, str]] = {
    "title": "Deklaracja dostępności",
    "placeholder": "[do uzupełnienia przez podmiot wdrażający]",
    "incomplete": "Część danych tej deklaracji nie została jeszcze uzupełniona przez podmiot "
    "wdrażający serwis; takie miejsca są oznaczone nawiasem kwadratowym.",
    "intro_commits": f"zobowiązuje się zapewnić dostępność swojej strony internetowej zgodnie z "
    f"{ACT_PL}.",
    "intro_site": "Deklaracja dostępności dotyczy strony internetowej",
    "published": "Data publikacji strony internetowej",
    "updated": "Data ostatniej istotnej aktualizacji",
    "status_title": "Status pod względem zgodności z ustawą",
    "status_label": "Status zgodności z ustawą",
    "status_compliant": f"Strona internetowa jest zgodna z {ACT_PL}.",
    "status_partially_compliant": f"Strona internetowa jest częściowo zgodna z {ACT_PL} z "
    "powodu niezgodności wymienionych poniżej.",
    "status_non_compliant": f"Strona internetowa jest niezgodna z {ACT_PL}.",
    "limitations_title": "Treści niedostępne",
    "limitations_lead": "Ograniczenia znane autorom serwisu Miarka, ich przyczyny i sposób "
    "dotarcia do tych samych informacji:",
    "preparation_title": "Przygotowanie deklaracji dostępności",
    "prepared": "Data sporządzenia deklaracji",
    "reviewed": "Data ostatniego przeglądu deklaracji",
    "assessment": "Deklarację sporządzono na podstawie",
    "assessment_self_assessment": "samooceny przeprowadzonej przez podmiot publiczny",
    "assessment_third_party": "badania przeprowadzonego przez podmiot zewnętrzny",
    "checks_title": "Jak sprawdzana jest dostępność serwisu",
    "checks_lead": "Autorzy serwisu Miarka sprawdzają każdą zmianę kodu testami automatycznymi:",
    "shortcuts_title": "Skróty klawiaturowe",
    "shortcuts_text": "Serwis nie definiuje własnych skrótów klawiaturowych; działają "
    "standardowe skróty przeglądarki. Łącza, pola formularzy i przyciski obsługuje się "
    "klawiszami Tab, Shift+Tab i Enter. Pierwsze łącze każdej strony, „Przejdź do treści”, "
    "pomija menu i przenosi do treści strony.",
    "contact_title": "Informacje zwrotne i dane kontaktowe",
    "contact_lead": "W przypadku problemów z dostępnością strony internetowej prosimy o kontakt. "
    "Tą samą drogą można składać wnioski o udostępnienie informacji niedostępnej i skargi na "
    "brak zapewnienia dostępności.",
    "contact_name": "Osoba kontaktowa",
    "contact_email": "Adres poczty elektronicznej",
    "contact_phone": "Telefon",
    "address": "Adres podmiotu",
    "procedure_title": "Procedura wnioskowo-skargowa",
    "request_title": "Żądanie zapewnienia dostępności",
    "request_text": "Każdy ma prawo wystąpić z żądaniem zapewnienia dostępności cyfrowej "
    "strony internetowej lub jej elementu. Można też zażądać udostępnienia informacji w "
    "alternatywny sposób, na przykład przez odczytanie niedostępnego cyfrowo dokumentu. "
    "Żądanie powinno zawierać dane kontaktowe osoby, która je zgłasza, wskazanie strony "
    "internetowej lub jej elementu, którego dotyczy, a jeśli osoba potrzebuje informacji w "
    "alternatywny sposób, także dogodny dla niej sposób przedstawienia tej informacji.",
    "request_deadline": "Podmiot publiczny realizuje żądanie niezwłocznie, nie później niż w "
    "ciągu 7 dni od dnia jego wystąpienia. Jeżeli dotrzymanie tego terminu nie jest możliwe, "
    "niezwłocznie informuje, kiedy realizacja żądania będzie możliwa, przy czym termin ten "
    "nie może być dłuższy niż 2 miesiące od dnia wystąpienia z żądaniem. Jeżeli zapewnienie "
    "dostępności cyfrowej nie jest możliwe, podmiot może zaproponować alternatywny sposób "
    "dostępu do informacji.",
    "complaint_title": "Skarga",
    "complaint_text": "Jeżeli podmiot publiczny odmówi realizacji żądania zapewnienia "
    "dostępności lub alternatywnego sposobu dostępu do informacji, wnoszący żądanie może "
    "złożyć skargę w sprawie zapewnienia dostępności cyfrowej strony internetowej lub jej "
    "elementu.",
    "ombudsman_title": "Rzecznik Praw Obywatelskich",
    "ombudsman_text": "Po wyczerpaniu tej procedury można złożyć wniosek do Rzecznika Praw "
    "Obywatelskich.",
    "ombudsman_link": "Strona Rzecznika Praw Obywatelskich",
    "building_title": "Dostępność architektoniczna",
    "apps_title": "Aplikacje mobilne",
    "apps_text": "Miarka nie ma aplikacji mobilnej. Strony serwisu można otwierać w "
    "przeglądarce telefonu.",
}

EN: Final[dict[str, str]] = {
    "title": "Accessibility statement",
    "placeholder": "[to be completed by the deploying body]",
    "incomplete": "Some facts of this statement have not yet been filled in by the body that "
    "deploys the service; they are marked with square brackets.",
    "intro_commits": f"is committed to making its website accessible in accordance with {ACT_EN}.",
    "intro_site": "This accessibility statement applies to the website",
    "published": "Date of publication of the website",
    "updated": "Date of the last significant update",
    "status_title": "Compliance status",
    "status_label": "Compliance with the Act",
    "status_compliant": f"This website is fully compliant with {ACT_EN}.",
    "status_partially_compliant": f"This website is partially compliant with {ACT_EN} due to "
    "the non-compliances listed below.",
    "status_non_compliant": f"This website is not compliant with {ACT_EN}.",
    "limitations_title": "Non-accessible content",
    "limitations_lead": "Limitations known to the authors of Miarka, their reasons and how to "
    "reach the same information:",
    "preparation_title": "Preparation of this accessibility statement",
    "prepared": "Date the statement was prepared",
    "reviewed": "Date the statement was last reviewed",
    "assessment": "The statement was prepared on the basis of",
    "assessment_self_assessment": "a self-assessment carried out by the public body",
    "assessment_third_party": "an evaluation carried out by a third party",
    "checks_title": "How the accessibility of the service is checked",
    "checks_lead": "The authors of Miarka check every change of the code with automated tests:",
    "shortcuts_title": "Keyboard shortcuts",
    "shortcuts_text": "The service defines no keyboard shortcuts of its own; the browser's "
    "usual shortcuts work. Links, form fields and buttons are used with Tab, Shift+Tab and "
    "Enter. The first link of every page, “Skip to content”, skips the menu and moves to the "
    "page's content.",
    "contact_title": "Feedback and contact information",
    "contact_lead": "If you have a problem with the accessibility of this website, please "
    "contact us. Requests for information that is not accessible and complaints about a lack "
    "of accessibility can be sent the same way.",
    "contact_name": "Contact person",
    "contact_email": "E-mail address",
    "contact_phone": "Phone",
    "address": "Address of the body",
    "procedure_title": "Requests and complaints",
    "request_title": "Request to make content accessible",
    "request_text": "Everyone has the right to request that a website or an element of it be "
    "made digitally accessible, or that information be provided in an alternative way, for "
    "example by reading out a document that is not accessible. A request should give the "
    "requester's contact details, the website or element concerned and, where information is "
    "needed in an alternative way, the way that suits the requester.",
    "request_deadline": "The public body fulfils the request without delay and no later than 7 "
    "days from the day it was made. If that is not possible, it says without delay when the "
    "request will be fulfilled, which may be no later than 2 months from the day it was made. "
    "If digital accessibility cannot be provided, the body may offer an alternative way of "
    "access to the information.",
    "complaint_title": "Complaint",
    "complaint_text": "If the public body refuses to make the content accessible or to provide "
    "an alternative way of access, the requester may file a complaint about the digital "
    "accessibility of the website or its element.",
    "ombudsman_title": "Commissioner for Human Rights",
    "ombudsman_text": "Once this procedure is exhausted, an application may be made to the "
    "Commissioner for Human Rights (Rzecznik Praw Obywatelskich).",
    "ombudsman_link": "Website of the Commissioner for Human Rights",
    "building_title": "Architectural accessibility",
    "apps_title": "Mobile applications",
    "apps_text": "Miarka has no mobile application. Its pages can be opened in a phone's browser.",
}

DECLARATION: Final[Mapping[Lang, Mapping[str, str]]] = {"pl": PL, "en": EN}

OMBUDSMAN_URL: Final = "https://www.rpo.gov.pl/"

LIMITATIONS: Final[Mapping[Lang, Sequence[str]]] = {
    "pl": (
        "Mapy, histogramy i wykresy zmian w czasie są obrazami SVG z tekstowym tytułem i "
        "opisem; poszczególnych jednostek na mapie nie można wybrać klawiaturą ani odczytać "
        "czytnikiem ekranu. Powód: mapa pokazuje setki lub tysiące obszarów naraz. Te same "
        "informacje są w tabelach: wartość każdej jednostki w tabeli rankingu pod mapą, "
        "przedziały kolorów w tabeli legendy, a liczebności histogramu i wartości z kolejnych "
        "lat w rozwijanych tabelach przy wykresach.",
        "Dokumentacja API pod adresem /schema jest wyświetlana przez zewnętrzny komponent "
        "(Scalar, ładowany z sieci CDN) i nie jest objęta testami dostępności serwisu. Powód: "
        "to narzędzie dla programistów. Ten sam opis interfejsu jest dostępny jako plik "
        "OpenAPI w formacie JSON.",
        "Pliki do pobrania (CSV, XLSX, Parquet) są surowymi danymi dla arkuszy kalkulacyjnych "
        "i programów, bez struktury dokumentu; format Parquet wymaga specjalistycznego "
        "oprogramowania. Te same wartości można odczytać na stronach serwisu w tabelach HTML "
        "(ranking wskaźnika w wybranym roku, wartości jednostki w kolejnych latach).",
        "Serwis nie zawiera informacji w polskim języku migowym (PJM) ani tekstów łatwych do "
        "czytania (ETR). Powód: nie zostały dotąd przygotowane.",
    ),
    "en": (
        "Maps, histograms and charts of change over time are SVG images with a text title and "
        "description; single units on a map cannot be chosen with the keyboard or read by a "
        "screen reader. Reason: a map shows hundreds or thousands of areas at once. The same "
        "information is in tables: every unit's value in the ranking table below the map, the "
        "colour classes in the legend table, and the histogram's counts and the values of "
        "each year in the expandable tables next to the charts.",
        "The API documentation at /schema is shown by a third-party component (Scalar, loaded "
        "from a CDN) and is not covered by the service's accessibility tests. Reason: it is a "
        "tool for programmers. The same description of the interface is available as an "
        "OpenAPI file in JSON.",
        "Downloadable files (CSV, XLSX, Parquet) are raw data for spreadsheets and software, "
        "with no document structure; Parquet needs specialised software. The same values can "
        "be read on the service's pages in HTML tables (an indicator's ranking in a chosen "
        "year, a unit's values over the years).",
        "The service has no information in Polish Sign Language (PJM) and no easy-to-read "
        "texts (ETR). Reason: they have not been prepared yet.",
    ),
}
"""Known limitations: what is not accessible, why, and where the same information is."""

CHECKS: Final[Mapping[Lang, Sequence[str]]] = {
    "pl": (
        "axe-core w przeglądarce Chromium sprawdza strony serwisu (wyszukiwarkę, listy "
        "jednostek, strony gminy, powiatu i województwa, rankingi z mapami, porównanie, raport "
        "do druku, koszty usług, stronę błędu, wersję angielską i tę deklarację) z rozwiniętymi "
        "wszystkimi sekcjami; każde naruszenie o wadze „serious” lub „critical” oznacza "
        "niezaliczony test. W długich tabelach sprawdzanych jest pierwszych 200 wierszy "
        "(pozostałe powstają z tego samego szablonu).",
        "Test klawiatury: pierwsze naciśnięcie klawisza Tab na stronie jednostki zaznacza "
        "łącze „Przejdź do treści”, a Enter przenosi fokus na treść strony.",
        "Test bez JavaScriptu: wyszukanie jednostki, przejście do jej strony i sortowanie "
        "rankingu działają przy wyłączonym JavaScripcie.",
        "Testy stron bez przeglądarki sprawdzają, że strony podają swój język, każdy "
        "wykres SVG ma rolę obrazu z tytułem i opisem, a każda tabela ma podpis.",
        "Testy automatyczne wykrywają tylko część problemów opisanych w WCAG 2.1. Naruszenia o "
        "mniejszej wadze („moderate”, „minor”) są zapisywane, ale nie oznaczają niezaliczonego "
        "testu. Projekt nie ma zapisanych wyników badań z czytnikami ekranu ani z udziałem "
        "użytkowników.",
    ),
    "en": (
        "axe-core in the Chromium browser checks the service's pages (the search, the lists "
        "of units, the pages of a gmina, a powiat and a voivodeship, rankings with maps, the "
        "comparison, the printable report, service costs, the error page, the English version "
        "and this statement) with every section expanded; any violation of “serious” or "
        "“critical” impact fails the test. In long tables the first 200 rows are checked (the "
        "others come from the same template).",
        "Keyboard test: on a unit's page the first press of Tab focuses the “Skip to content” "
        "link, and Enter moves the focus to the page's content.",
        "No-JavaScript test: searching for a unit, opening its page and sorting a ranking work "
        "with JavaScript turned off.",
        "Page tests without a browser check that the pages state their language, every SVG "
        "chart has the image role with a title and a description, and every table has a "
        "caption.",
        "Automated tests find only some of the problems described by WCAG 2.1. Violations of "
        "lesser impact (“moderate”, “minor”) are recorded but do not fail a test. The project "
        "has no recorded results of tests with screen readers or with users.",
    ),
}
"""What the project's tests check (tests/browser/test_browser.py, tests/test_web_pages.py)."""
