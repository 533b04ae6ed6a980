"""libcst codemods, one per module: each a transformer with golden before/after cases."""
