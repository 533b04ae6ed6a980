"""Shopping carts."""
