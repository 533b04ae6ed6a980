"""Stock levels and time-limited reservations."""
