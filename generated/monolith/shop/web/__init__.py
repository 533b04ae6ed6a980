"""Flask HTTP layer."""
from .app import create_app

__all__ = ["create_app"]
