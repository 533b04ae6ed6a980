"""E-mail/SMS notifications, queued and sent fire-and-forget."""
