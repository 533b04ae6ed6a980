"""A small app that delivers messages through transport classes (a test asset for class operations)."""
