"""A value's publication status where its source states one (issue 17), shown as a flag.

Of the shipped sources only the BDL API states one per value: attribute 9, symbol "s",
"Szacunki wstępne" in its real `/attributes` answer (tests/data/bdl/pyBDL_samples). The
loader stores it as the flag `preliminary_estimate`, which the API lists in `flags` and the
web client says in words, in Polish and English. Sources that give none carry none.
"""

import json
from pathlib import Path

from loaders.bdl.api_json import ATTRIBUTES
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
