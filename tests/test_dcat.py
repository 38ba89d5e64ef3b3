"""The DCAT-AP catalogue (/api/v1/catalog) on the shipped data: a valid graph that lists every
domain and indicator, whose every distribution URL answers, and that states no fact of the
deploying body it was not given."""

from urllib.parse import urlsplit

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from pyshacl import validate
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from sqlalchemy import text

from domains.indicators.catalogue import default_catalogue
from service.app import create_app
from service.settings import REPO_ROOT
from tests.plugin import engine_for

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SHAPES = REPO_ROOT / "tests" / "data" / "dcat" / "dcat-ap-mandatory.shacl.ttl"
BASE = "http://testserver.local/"
CATALOG = URIRef(f"{BASE}api/v1/catalog")
PLACEHOLDER_PL = "[do uzupełnienia przez podmiot wdrażający]"


def graph_of(body: bytes, fmt: str = "json-ld") -> Graph:
    return Graph().parse(data=body, format=fmt)


def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@pytest.fixture(scope="module")
async def catalog(client) -> Graph:
    response = await client.get("/api/v1/catalog")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/ld+json")
    return graph_of(response.content)


async def test_catalog_conforms_to_the_dcat_ap_shapes(catalog):
    conforms, _, report = validate(catalog, shacl_graph=shapes(), inference="none")
    assert conforms, report


def test_shapes_refuse_a_distribution_without_an_access_url(catalog):
    broken = Graph()
    for triple in catalog:
        broken.add(triple)
    broken.remove((None, DCAT.accessURL, None))
    conforms, _, report = validate(broken, shacl_graph=shapes(), inference="none")
    assert not conforms
    assert "accessURL" in report


def test_every_domain_and_indicator_is_a_dataset_with_titles_in_both_languages(catalog):
    catalogue = default_catalogue()
    datasets = set(catalog.objects(CATALOG, DCAT.dataset))
    expected = {URIRef(f"{CATALOG}#indicator/{i.code}") for i in catalogue.indicators} | {
        URIRef(f"{CATALOG}#domain/{d.code}") for d in catalogue.domains
    }
    assert datasets == expected
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in catalog
        languages = {t.language for t in catalog.objects(dataset, DCT.title)}
        assert languages == {"pl", "en"}, dataset
        assert {d.language for d in catalog.objects(dataset, DCT.description)} == {"pl", "en"}
    for indicator in catalogue.indicators:
        dataset = URIRef(f"{CATALOG}#indicator/{indicator.code}")
        source = catalog.value(dataset, PROV.wasDerivedFrom)
        assert catalog.value(source, DCT.title) == Literal(indicator.source), indicator.code
        assert catalog.value(dataset, DCT.provenance) is not None
        assert catalog.value(dataset, DCAT.landingPage) == URIRef(f"{BASE}w/{indicator.code}")
    ludnosc = URIRef(f"{CATALOG}#indicator/kontekst.ludnosc")
    assert Literal("Ludność", lang="pl") in set(catalog.objects(ludnosc, DCT.title))


async def test_every_distribution_url_answers_200(catalog, client):
    catalogue = default_catalogue()
    indicators = await client.get("/api/v1/indicators")
    with_data = {i["code"] for i in indicators.json() if i["status"] == "ok"}
    urls = set()
    for indicator in catalogue.indicators:
        dataset = URIRef(f"{CATALOG}#indicator/{indicator.code}")
        distributions = set(catalog.objects(dataset, DCAT.distribution))
        kinds = {str(d).rsplit("/", 1)[1] for d in distributions}
        expected = {"csv-pl", "csv-en", "parquet"}
        if indicator.code in with_data:
            expected |= {"xlsx", "json"}
        assert kinds == expected, indicator.code
        for distribution in distributions:
            urls.add(str(catalog.value(distribution, DCAT.accessURL)))
    for domain in catalogue.domains:
        dataset = URIRef(f"{CATALOG}#domain/{domain.code}")
        for distribution in catalog.objects(dataset, DCAT.distribution):
            urls.add(str(catalog.value(distribution, DCAT.accessURL)))
    assert len(urls) == 3 * (len(catalogue.indicators) + len(catalogue.domains)) + 2 * len(
        with_data
    )
    # Every URL has the shape of its kind with a code of the catalogue; one URL of each kind
    # and dataset type is fetched (all 356 took 88 s in CI, most of it streaming whole tables).
    by_shape: dict[str, list[str]] = {}
    codes = {i.code for i in catalogue.indicators} | {d.code for d in catalogue.domains}
    for url in sorted(urls):
        assert url.startswith(BASE), url
        parts = urlsplit(url)
        code = next(c for c in sorted(codes, key=len, reverse=True) if c in parts.path)
        by_shape.setdefault(parts.path.replace(code, "{code}") + "?" + parts.query, []).append(url)
    fetched = [next((u for u in found if "kontekst" in u), found[0]) for found in by_shape.values()]
    assert len(fetched) >= 5  # csv pl, csv en, parquet, xlsx, json at least
    failed = []
    for url in fetched:
        parts = urlsplit(url)
        response = await client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if response.status_code != 200:
            failed.append((url, response.status_code))
    assert failed == []


async def test_modified_is_the_current_data_release(catalog, loaded_db_url):
    engine = engine_for(loaded_db_url)
    try:
        async with engine.connect() as conn:
            published = await conn.scalar(
                text("SELECT published_at FROM data_release ORDER BY id DESC LIMIT 1")
            )
    finally:
        await engine.dispose()
    modified = catalog.value(CATALOG, DCT.modified)
    assert modified is not None
    assert modified.toPython() == published


async def test_turtle_by_parameter_and_by_accept_is_the_same_graph(catalog, client):
    by_parameter = await client.get("/api/v1/catalog", params={"format": "ttl"})
    assert by_parameter.status_code == 200
    assert by_parameter.headers["content-type"].startswith("text/turtle")
    by_accept = await client.get("/api/v1/catalog", headers={"Accept": "text/turtle"})
    assert by_accept.headers["content-type"].startswith("text/turtle")
    assert not any(isinstance(term, BNode) for triple in catalog for term in triple)
    assert set(graph_of(by_parameter.content, "turtle")) == set(catalog)
    assert set(graph_of(by_accept.content, "turtle")) == set(catalog)
    assert (await client.get("/api/v1/catalog", params={"format": "rdf"})).status_code == 400


def test_publisher_and_licence_are_placeholders_when_not_set(catalog):
    publisher = catalog.value(CATALOG, DCT.publisher)
    assert Literal(PLACEHOLDER_PL, lang="pl") in set(catalog.objects(publisher, FOAF.name))
    assert not list(catalog.triples((None, DCT.license, None)))
    distribution = next(iter(catalog.subjects(RDF.type, DCAT.Distribution)))
    rights = catalog.value(distribution, DCT.rights)
    assert rights is not None
    assert (rights, RDF.type, DCT.RightsStatement) in catalog


async def test_publisher_and_licence_come_from_settings(test_settings):
    settings = msgspec.structs.replace(
        test_settings,
        catalog_publisher="Urząd Testowy",
        catalog_publisher_uri="https://urzad.example.test/",
        catalog_license="https://creativecommons.org/licenses/by/4.0/",
        response_cache=False,
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/api/v1/catalog")
    graph = graph_of(response.content)
    publisher = URIRef("https://urzad.example.test/")
    assert graph.value(CATALOG, DCT.publisher) == publisher
    assert graph.value(publisher, FOAF.name) == Literal("Urząd Testowy")
    licence = URIRef("https://creativecommons.org/licenses/by/4.0/")
    distributions = set(graph.subjects(RDF.type, DCAT.Distribution))
    assert {graph.value(d, DCT.license) for d in distributions} == {licence}
    assert not list(graph.triples((None, DCT.rights, None)))
    conforms, _, report = validate(graph, shacl_graph=shapes(), inference="none")
    assert conforms, report


async def test_each_host_gets_its_own_iris_through_the_response_cache(test_settings):
    async with AsyncTestClient(app=create_app(test_settings), base_url="http://a.test") as a:
        first = graph_of((await a.get("/api/v1/catalog")).content)
    async with AsyncTestClient(app=create_app(test_settings), base_url="http://b.test") as b:
        second = graph_of((await b.get("/api/v1/catalog")).content)
    assert (URIRef("http://a.test/api/v1/catalog"), RDF.type, DCAT.Catalog) in first
    assert (URIRef("http://b.test/api/v1/catalog"), RDF.type, DCAT.Catalog) in second
