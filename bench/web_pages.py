"""Benchmark: size on the wire and server time of every web-client page.

Against a running server (`miarka serve`, shipped data): for each page, the gzip bytes
transferred and the uncompressed bytes, the median time of a fresh render (a unique dummy
query parameter defeats the response cache) and of a cached answer. Loopback only; prints
figures, asserts nothing. Usage: python bench/web_pages.py [base-url] [repeats]
"""

import statistics
import sys
import time
import uuid

import httpx

PAGES = {
    "start": "/",
    "search 'zywiec'": "/?q=zywiec",
    "browse powiat żywiecki": "/?pow=2417",
    "dashboard Kraków (gmina)": "/j/1261011",
    "dashboard Żywiec (gmina)": "/j/2417011",
    "dashboard powiat żywiecki": "/j/2417",
    "indicator, gminas of one voivodeship": "/w/kontekst.ludnosc?poziom=gmina&woj=24&j=2417011",
    "indicator, all 2,477 gminas": "/w/kontekst.udzial_65_plus",
    "indicator, powiat map": "/w/kontekst.gestosc_zaludnienia?poziom=powiat",
    "indicator, voivodeship map": "/w/kontekst.ludnosc?poziom=voivodeship",
    "compare with 5 similar": "/porownaj?j=2417011&podobne=1",
    "report (A4)": "/j/2417011/raport",
    "dashboard Warszawa (425 primary schools)": "/j/1465011",
    "Warszawa, schools of every type (2,154)": "/j/1465011?szkoly=wszystkie",
    "school page": "/szkola/20957",
}
HEADERS = {"Accept": "text/html", "Accept-Encoding": "gzip"}


def timed(client: httpx.Client, url: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(url, headers=HEADERS)
    response.read()
    return (time.perf_counter() - started) * 1000, response


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(f"{'page':40} {'gzip B':>8} {'raw B':>9} {'fresh ms':>9} {'cached ms':>10}")
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, path in PAGES.items():
            joiner = "&" if "?" in path else "?"
            fresh = []
            for _ in range(repeats):
                ms, response = timed(client, f"{path}{joiner}_bench={uuid.uuid4().hex}")
                fresh.append(ms)
            cached = [timed(client, path)[0] for _ in range(repeats)]
            print(
                f"{name:40} {response.num_bytes_downloaded:8d} {len(response.content):9d} "
                f"{statistics.median(fresh):9.1f} {statistics.median(cached):10.1f}"
            )


if __name__ == "__main__":
    main()
