"""Flask application factory."""
from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from shop.notifications import wiring

from ..common import db
from ..common.errors import ShopError
from . import accounts_api, cart_api, catalog_api, orders_api

_request_count = 0


def _count_request() -> None:
    global _request_count
    _request_count += 1


def request_count() -> int:
    return _request_count


def _handle_shop_error(error: ShopError) -> tuple[Any, int]:
    return jsonify(error.to_dict()), error.status_code


def _handle_http_error(error: HTTPException) -> tuple[Any, int]:
    return jsonify({"error": error.name.lower().replace(" ", "_"), "message": error.description}), error.code or 500


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(DATABASE_URL=None, INIT_DB=True, JSON_SORT_KEYS=False)  # None: init_db reads SHOP_DATABASE_URL
    app.config.update(config or {})
    if app.config["INIT_DB"]:
        db.init_db(app.config["DATABASE_URL"])
    wiring.register_subscriptions()
    app.before_request(_count_request)
    app.register_error_handler(ShopError, _handle_shop_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_blueprint(catalog_api.bp)
    app.register_blueprint(accounts_api.bp)
    app.register_blueprint(cart_api.bp)
    app.register_blueprint(orders_api.bp)

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "requests": request_count()}

    return app
