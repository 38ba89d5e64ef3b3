"""The Litestar service: app factory, settings, routes, CLI."""
