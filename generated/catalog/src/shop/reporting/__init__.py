"""Sales reports (raw SQL) and periodic jobs."""
