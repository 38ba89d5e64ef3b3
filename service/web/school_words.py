"""The words of the school page and of a gmina's list of schools, in Polish and English.

Kept beside i18n.py (the words of every other page) so the school layer is one set of modules;
both languages have the same keys (a test checks). `MEASURES` names the figures the school
page shows, in its order; `GOVERNING` says who runs a school.
"""

from collections.abc import Mapping
from typing import Final

from schemas.indicators import Lang

WORDS: Final[Mapping[Lang, Mapping[str, str]]] = {
    "pl": {
        "school": "Szkoła",
        "schools_title": "Szkoły i placówki w gminie",
        "schools_lead": "Szkoły i placówki oświatowe położone w gminie według rejestru szkół "
        "(SIO, stan na 30 września 2018 r.) oraz średni wynik egzaminu ósmoklasisty z "
        "matematyki (CKE). Trend porównuje odstęp szkoły od średniej kraju w pierwszym i "
        "ostatnim roku, bo egzamin co roku jest inny.",
        "schools_type": "Rodzaj szkoły lub placówki",
        "schools_caption": "Szkoły i placówki w gminie",
        "all_types": "wszystkie rodzaje",
        "show": "Pokaż",
        "schools_none": "Rejestr szkół nie podaje w tej gminie żadnej szkoły ani placówki.",
        "schools_as_of": "Dane szkół nie mają w Miarce historii zmian, więc ta lista nie "
        "pokazuje stanu na wybrany dzień: liczby uczniów i wyniki egzaminów poniżej są obecne, "
        "a nie według stanu na",
        "col_school": "Nazwa",
        "col_type": "Rodzaj",
        "col_public": "Publiczna",
        "col_pupils": "Uczniowie (2018)",
        "col_math": "Egzamin ósmoklasisty: matematyka, średni wynik (%)",
        "col_trend": "Trend na tle kraju",
        "yes": "tak",
        "no": "nie",
        "unknown": "brak danych",
        "trend_up": "poprawa o {delta} pkt proc. względem średniej kraju (od {first} do {last} r.)",
        "trend_down": "pogorszenie o {delta} pkt proc. względem średniej kraju (od {first} do "
        "{last} r.)",
        "trend_flat": "bez wyraźnej zmiany względem średniej kraju (od {first} do {last} r.)",
        "trend_one": "jeden rok wyników",
        "trend_none": "brak wyników",
        "facts": "Dane szkoły",
        "rspo": "Numer RSPO",
        "type": "Rodzaj",
        "public": "Szkoła publiczna",
        "governing": "Organ prowadzący",
        "location": "Położenie",
        "gmina": "Gmina",
        "reporting": "Liczby uczniów, oddziałów i nauczycieli podaje za tę szkołę jednostka "
        "sprawozdawcza",
        "reporting_zero": "Zero przy tej szkole może znaczyć, że liczby podano przy jednostce "
        "sprawozdawczej, nie brak uczniów lub nauczycieli.",
        "register_title": "Uczniowie, oddziały i nauczyciele",
        "register_lead": "Rejestr szkół, stan na 30 września 2018 r. Każdą liczbę porównujemy "
        "ze szkołami tego samego rodzaju: w gminie (mediana) i w całym kraju (kwartyle).",
        "exam_title": "Egzamin ósmoklasisty",
        "exam_lead": "Średni wynik szkoły (%) według CKE; CKE nie podaje średniej, gdy "
        "egzamin pisało mniej niż 5 uczniów. Egzamin co roku jest inny: porównuj szkołę z "
        "innymi szkołami w tym samym roku, nie rok z rokiem.",
        "matura_title": "Matura",
        "matura_lead": "Odsetek zdających maturę w 2023 r., którzy otrzymali świadectwo "
        "dojrzałości (CKE), osobno dla obu formuł egzaminu.",
        "teachers_total": "Etaty nauczycieli razem (pełnozatrudnieni i etaty "
        "niepełnozatrudnionych)",
        "position": "Na tle szkół tego rodzaju w kraju",
        "col_year": "Rok",
        "col_value": "Szkoła",
        "col_gmina": "Mediana w gminie",
        "col_q1": "Dolny kwartyl w kraju",
        "col_median": "Mediana w kraju",
        "col_q3": "Górny kwartyl w kraju",
        "col_where": "Miejsce w kraju",
        "col_count": "Szkół w kraju",
        "below_q1": "w dolnej ćwiartce szkół tego rodzaju w kraju",
        "q1_median": "poniżej mediany kraju, powyżej dolnej ćwiartki",
        "median_q3": "powyżej mediany kraju, poniżej górnej ćwiartki",
        "above_q3": "w górnej ćwiartce szkół tego rodzaju w kraju",
        "at_median": "na poziomie mediany kraju",
        "strip_desc": "Kwadrat to wartość szkoły; pasek to środkowa połowa szkół tego rodzaju w "
        "kraju (od dolnego do górnego kwartyla), pionowa kreska to mediana kraju.",
        "source": "Źródło",
        "source_text": "plik {file}, wiersz {row}",
        "school_api": "Te same dane w API (JSON)",
    },
    "en": {
        "school": "School",
        "schools_title": "Schools and institutions in the gmina",
        "schools_lead": "Schools and education institutions located in the gmina according "
        "to the register of schools (SIO, as of 30 September 2018), and the mean result of the "
        "eighth-grade exam in mathematics (CKE). The trend compares the school's distance to "
        "Poland's mean in the first and the last year, since the exam differs every year.",
        "schools_type": "Type of school or institution",
        "schools_caption": "Schools and institutions in the gmina",
        "all_types": "every type",
        "show": "Show",
        "schools_none": "The register of schools lists no school or institution in this gmina.",
        "schools_as_of": "Miarka keeps no history of the school figures, so this list cannot "
        "show the chosen day: the pupils and exam results below are today's, not as of",
        "col_school": "Name",
        "col_type": "Type",
        "col_public": "Public",
        "col_pupils": "Pupils (2018)",
        "col_math": "Eighth-grade exam: mathematics, mean result (%)",
        "col_trend": "Trend against Poland",
        "yes": "yes",
        "no": "no",
        "unknown": "no data",
        "trend_up": "better by {delta} percentage points against Poland's mean ({first} to {last})",
        "trend_down": "worse by {delta} percentage points against Poland's mean ({first} to "
        "{last})",
        "trend_flat": "no clear change against Poland's mean ({first} to {last})",
        "trend_one": "one year of results",
        "trend_none": "no results",
        "facts": "About the school",
        "rspo": "RSPO number",
        "type": "Type",
        "public": "Public school",
        "governing": "Governing body",
        "location": "Location",
        "gmina": "Gmina",
        "reporting": "The pupils, classes and teachers of this school are reported by the "
        "reporting unit",
        "reporting_zero": "A zero at this school may mean the figure is given at the reporting "
        "unit, not that there are no pupils or teachers.",
        "register_title": "Pupils, classes and teachers",
        "register_lead": "Register of schools, as of 30 September 2018. Each figure is compared "
        "with the schools of the same type: in the gmina (median) and in Poland (quartiles).",
        "exam_title": "Eighth-grade exam",
        "exam_lead": "The school's mean result (%) as published by CKE; CKE gives no mean "
        "when fewer than 5 pupils sat the exam. The exam differs every year: compare the "
        "school with other schools in the same year, not one year with another.",
        "matura_title": "Matura",
        "matura_lead": "The share of the 2023 matura takers who got the certificate (CKE), "
        "for each formula of the exam.",
        "teachers_total": "Teacher FTE in total (full-time teachers and part-time FTE)",
        "position": "Against the schools of this type in Poland",
        "col_year": "Year",
        "col_value": "School",
        "col_gmina": "Median in the gmina",
        "col_q1": "Lower quartile in Poland",
        "col_median": "Median in Poland",
        "col_q3": "Upper quartile in Poland",
        "col_where": "Position in Poland",
        "col_count": "Schools in Poland",
        "below_q1": "in the bottom quarter of the schools of this type in Poland",
        "q1_median": "below Poland's median, above the bottom quarter",
        "median_q3": "above Poland's median, below the top quarter",
        "above_q3": "in the top quarter of the schools of this type in Poland",
        "at_median": "at Poland's median",
        "strip_desc": "The square is the school's value; the bar is the middle half of the "
        "schools of this type in Poland (lower to upper quartile), the vertical line Poland's "
        "median.",
        "source": "Source",
        "source_text": "file {file}, row {row}",
        "school_api": "The same data in the API (JSON)",
    },
}

MEASURES: Final[Mapping[Lang, Mapping[str, str]]] = {
    "pl": {
        "register.pupils": "Uczniowie",
        "register.girls": "Dziewczęta",
        "register.classes": "Oddziały",
        "register.teachers_full_time": "Nauczyciele pełnozatrudnieni",
        "register.teachers_part_time_fte": "Nauczyciele niepełnozatrudnieni (etaty)",
        "e8.polski.mean": "Język polski",
        "e8.matematyka.mean": "Matematyka",
        "e8.angielski.mean": "Język angielski",
        "e8.niemiecki.mean": "Język niemiecki",
        "e8.rosyjski.mean": "Język rosyjski",
        "e8.francuski.mean": "Język francuski",
        "e8.hiszpanski.mean": "Język hiszpański",
        "e8.wloski.mean": "Język włoski",
        "matura.f2023.pass_rate": "Zdawalność matury, formuła 2023 (%)",
        "matura.f2015.pass_rate": "Zdawalność matury, formuła 2015 (%)",
    },
    "en": {
        "register.pupils": "Pupils",
        "register.girls": "Girls",
        "register.classes": "Classes",
        "register.teachers_full_time": "Full-time teachers",
        "register.teachers_part_time_fte": "Part-time teachers (FTE)",
        "e8.polski.mean": "Polish",
        "e8.matematyka.mean": "Mathematics",
        "e8.angielski.mean": "English",
        "e8.niemiecki.mean": "German",
        "e8.rosyjski.mean": "Russian",
        "e8.francuski.mean": "French",
        "e8.hiszpanski.mean": "Spanish",
        "e8.wloski.mean": "Italian",
        "matura.f2023.pass_rate": "Matura pass rate, 2023 formula (%)",
        "matura.f2015.pass_rate": "Matura pass rate, 2015 formula (%)",
    },
}

GOVERNING: Final[Mapping[Lang, Mapping[str, str]]] = {
    "pl": {
        "gmina": "gmina",
        "city_with_powiat_rights": "miasto na prawach powiatu",
        "powiat": "powiat",
        "voivodeship": "samorząd województwa",
        "central_government": "administracja rządowa",
        "public_university": "uczelnia publiczna",
        "non_public_university": "uczelnia niepubliczna",
        "economic_self_government": "samorząd gospodarczy lub zawodowy",
        "religious_body": "kościół lub związek wyznaniowy",
        "association": "stowarzyszenie",
        "foundation": "fundacja",
        "company": "spółka",
        "cooperative": "spółdzielnia",
        "social_cooperative": "spółdzielnia socjalna",
        "social_organisation": "organizacja społeczna",
        "trade_union_or_other_body": "związek zawodowy lub inna organizacja",
        "other_legal_person": "inna osoba prawna",
        "natural_person": "osoba fizyczna",
        "other": "inny",
    },
    "en": {
        "gmina": "gmina",
        "city_with_powiat_rights": "city with powiat rights",
        "powiat": "powiat",
        "voivodeship": "voivodeship government",
        "central_government": "central government",
        "public_university": "public university",
        "non_public_university": "non-public university",
        "economic_self_government": "economic or professional self-government",
        "religious_body": "church or religious body",
        "association": "association",
        "foundation": "foundation",
        "company": "company",
        "cooperative": "cooperative",
        "social_cooperative": "social cooperative",
        "social_organisation": "social organisation",
        "trade_union_or_other_body": "trade union or other body",
        "other_legal_person": "other legal person",
        "natural_person": "natural person",
        "other": "other",
    },
}
