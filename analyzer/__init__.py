"""Understand a Python monolith: facts per file, resolution, the graph, data dependencies."""

ANALYZER_VERSION = "1"
