"""The selection page behind `mono2lambda select`.

    session.py  the pure core: graph, scoring context, the plan and its undo stack; returns plain dicts
    server.py   the HTTP adapter: a token-guarded JSON API on 127.0.0.1 and the page
    page.html   the page itself (inline CSS and vanilla JS, no external resources)
"""
