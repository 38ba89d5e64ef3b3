"""A real HTTP server on 127.0.0.1 that answers like the BeSTi@ API — with SYNTHETIC answers.

No real BeSTi@ answer exists in this repository (no network here). The shape follows public
client code of the API: `filter[<field>]=value` parameters, `page` from 1, `limit`, `sort`,
`{"data": [...], "paging": {"totalPages": n, "totalItems": m}}`, 204 when nothing matches.
Every unit, report and amount below is made up for the tests and says so (`SYNTETYCZN...`).

Like the real API per that code, the order of rows is unstable without `sort`: each request
without it gets the rows in another order, so consecutive pages repeat some rows and miss
others. `overlap = True` makes even sorted pages repeat the last row of the previous page.
Failures are scripted per path (`script`), and every request is recorded, by the shared
replay base (tests/replay_server.py).
"""

import json
import random
from decimal import Decimal
from typing import Any

from tests.replay_server import RecordedRequest, ReplayServerBase, Reply, json_reply

__all__ = [
    "DATASETS",
    "FILLER_TOTAL",
    "RB27S",
    "RB28S",
    "UNIT_ID",
    "BestiaReplay",
    "RecordedRequest",
    "Reply",
]

UNIT_ID = "900001"
UNION_ID = "900002"
YEAR = "2022"
FILLER_ROWS = 240
FILLER_TOTAL = Decimal(10) * FILLER_ROWS * (FILLER_ROWS + 1) / 2

UNIT = {
    "jednostka-nazwa": "SYNTETYCZNA Gmina Miasto Kutno",
    "jednostka-wk": "10",
    "jednostka-pk": "02",
    "jednostka-gk": "01",
    "jednostka-gt": "1",
    "jednostka-pt": "0",
}
UNION = {**UNIT, "jednostka-nazwa": "SYNTETYCZNY Związek Gmin", "jednostka-gt": "Z"}


def _report(const_id: str, unit: dict[str, str], kind: str) -> dict[str, Any]:
    return {
        "jednostka-const-id": const_id,
        **unit,
        "okres-rok": YEAR,
        "okres-okres": "4",
        "typ-sprawozdania-kod": kind,
        "sprawozdanie-najnowsze": "true",
        "sprawozdanie-wersja": "1",
    }


def _line(
    kind_amount: str, dzial: str, rozdzial: str, paragraf: str, amount: str, **extra: str
) -> dict[str, Any]:
    return {
        "jednostka-const-id": UNIT_ID,
        "okres-rok": YEAR,
        "okres-okres": "4",
        "sprawozdanie-najnowsze": "true",
        "dzial": dzial,
        "rozdzial": rozdzial,
        "paragraf": paragraf,
        "finansowanie-paragrafu": extra.get("finansowanie", "0"),
        kind_amount: amount,
        "pl": amount,
        **({"grupa-paragrafow": extra["grupa"]} if "grupa" in extra else {}),
    }


# SYNTHETIC Rb-28S of the unit: education, a transfer to a non-public school, capital, the
# office, roads, debt service and 240 filler rows (so that the report spans 3 pages of 100).
RB28S = [
    _line("ww", "801", "80101", "401", "1000000.00", grupa="1400"),
    _line("ww", "801", "80101", "411", "200000.00", grupa="1400"),
    _line("ww", "801", "80101", "254", "50000.00", grupa="1200"),
    _line("ww", "801", "80101", "605", "300000.00", grupa="1600"),
    _line("ww", "801", "80148", "426", "100000.00", grupa="1100"),
    _line("ww", "750", "75023", "401", "2000000.00", grupa="1400"),
    _line("ww", "600", "60016", "426", "5000000.00", grupa="1100"),
    _line("ww", "757", "75702", "811", "100000.00", grupa="1810"),
    *(
        _line(
            "ww",
            "900",
            "90095",
            f"{430 + i // 10:03d}",
            f"{Decimal(10) * (i + 1):.2f}",
            finansowanie=str(i % 10),
        )
        for i in range(FILLER_ROWS)
    ),
]
# SYNTHETIC Rb-27S: a fee, a meal payment, a state grant, the general subsidy, a transfer in.
RB27S = [
    _line("dw", "801", "80101", "069", "1000.00"),
    _line("dw", "801", "80148", "083", "50000.00"),
    _line("dw", "801", "80101", "203", "20000.00"),
    _line("dw", "758", "75801", "292", "3000000.00"),
    _line("dw", "801", "80101", "231", "5000.00"),
]
DATASETS = {
    "api/sprawozdania": [
        _report(UNIT_ID, UNIT, "Rb-28s"),
        _report(UNIT_ID, UNIT, "Rb-27s"),
        _report(UNION_ID, UNION, "Rb-28s"),
        _report(UNION_ID, UNION, "Rb-27s"),
    ],
    "api/pozycje-rb28s": RB28S,
    "api/pozycje-rb27s": RB27S,
}


class BestiaReplay(ReplayServerBase):
    def __init__(self) -> None:
        super().__init__()
        self.overlap = False
        self._random = random.Random(20221231)  # noqa: S311 - a test shuffle, not security

    def route(self, path: str, query: dict[str, list[str]]) -> Reply:
        if path not in DATASETS:
            return super().route(path, query)
        filters = {k[7:-1]: v[0] for k, v in query.items() if k.startswith("filter[")}
        rows = [r for r in DATASETS[path] if all(str(r.get(k)) == v for k, v in filters.items())]
        try:
            page = int(query.get("page", ["1"])[0])
            limit = int(query.get("limit", ["20"])[0])
        except ValueError:
            return json_reply(400, {"message": "SYNTHETIC: page and limit are integers"})
        # 100 is the largest page public client code reports (200 gets a 400).
        if limit > 100 or page < 1:
            return json_reply(400, {"message": "SYNTHETIC: limit must be at most 100"})
        if not rows:
            return Reply(204, content_type="text/plain")
        sort = query.get("sort", [None])[0]
        if sort is None:
            with self._lock:
                rows = self._random.sample(rows, len(rows))
        else:
            rows = sorted(rows, key=lambda r: (str(r.get(sort, "")), json.dumps(r, sort_keys=True)))
        pages = max(1, -(-len(rows) // limit))
        start = (page - 1) * limit
        chunk = rows[start : start + limit]
        if self.overlap and page > 1 and chunk:
            chunk = [rows[start - 1], *chunk]
        body = {"data": chunk, "paging": {"totalPages": pages, "totalItems": len(rows)}}
        return json_reply(200, body, bom=True)
