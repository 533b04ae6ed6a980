"""Orders: checkout, lookup and refunds."""
