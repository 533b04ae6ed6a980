"""mono2lambda: move a Python monolith onto AWS Lambda, one service at a time."""

__version__ = "0.1.0"
