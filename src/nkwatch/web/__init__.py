"""The local web app and JSON API (``nkwatch serve``); see :func:`nkwatch.web.app.create_app`."""
