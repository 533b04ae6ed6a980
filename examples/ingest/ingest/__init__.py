"""ingest: the order-import back office, a small plain-Python monolith (no web framework).

Orders arrive three ways: one at a time from the order feed (`orders.import_order`), in
bulk as uploaded CSV files (`uploads.ingest_file`), and are summarised every night
(`reports.nightly_summary`). `backoffice` is the command line staff use.
"""
