"""The councillors' web client: Polish (and English) server-rendered pages over the query layer.

`WebClientPlugin` (plugin.py) adds the pages, templates, static files, HTML error pages and the
security headers to an app; `PAGES` (routes.py) are the pages' route handlers.
"""

from service.web.plugin import WebClientPlugin
from service.web.routes import PAGES

__all__ = ["PAGES", "WebClientPlugin"]
