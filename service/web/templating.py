"""The Jinja environment, the typed render call and the per-request `Ui`.

Templates get two names only, `ui` and `page` (see context.py). Undefined names raise, so a
typo in a template or a missing word in i18n.py fails a test instead of printing nothing.
"""

import hashlib
from functools import cache
from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar import MediaType, Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig

from schemas.indicators import Lang
from service.web.context import Page, Ui
from service.web.i18n import STRINGS
from service.web.links import links_for

WEB_DIR: Final = Path(__file__).resolve().parent
TEMPLATES_DIR: Final = WEB_DIR / "templates"
STATIC_DIR: Final = WEB_DIR / "static"


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


@cache
def asset_version() -> str:
    """A digest of the static files, appended to their URLs so a new release busts caches."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.iterdir()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def lang_of(request: Request) -> Lang:  # type: ignore[type-arg]
    return "en" if request.query_params.get("lang") == "en" else "pl"


def make_ui(request: Request, lang: Lang | None = None) -> Ui:  # type: ignore[type-arg]
    lang = lang or lang_of(request)
    return Ui(
        lang=lang,
        t=STRINGS[lang],
        path=request.url.path,
        params=tuple((k, v) for k, v in request.query_params.multi_items() if k != "lang"),
        asset_version=asset_version(),
        links=links_for(request.app),
    )


def render(name: str, ui: Ui, page: Page, status_code: int = 200) -> Template:
    return Template(
        template_name=name,
        context={"ui": ui, "page": page},
        status_code=status_code,
        media_type=MediaType.HTML,
    )
