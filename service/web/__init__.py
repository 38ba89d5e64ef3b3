"""The councillors' web client: Polish (and English) server-rendered pages over the query layer.

`register_web` (wiring.py) adds the pages, templates, static files and HTML error pages to the
app's configuration; `router` is the Litestar Router of the pages themselves.
"""

from service.web.routes import router
from service.web.wiring import register_web

__all__ = ["register_web", "router"]
