"""Utilities shared by every domain of the shop."""
