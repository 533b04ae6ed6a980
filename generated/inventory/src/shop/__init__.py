"""Example e-commerce monolith used as the mono2lambda analyzer's test input."""

__version__ = "1.4.0"
