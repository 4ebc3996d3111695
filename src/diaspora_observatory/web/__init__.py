"""The observatory web app: an ASGI app (Starlette + Jinja2) over the analysis library.

Start it with ``diaspora serve``; build it in Python with :func:`diaspora_observatory.web.app.create_app`.
"""
