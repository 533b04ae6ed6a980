"""Carriers, shipping rates and shipments."""
