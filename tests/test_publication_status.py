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

from loaders.bdl.api_json import ATTRIBUTES
from loaders.mf_rb.aggregates import REVISED_FLAG
from service.web.labels import flag_text

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
