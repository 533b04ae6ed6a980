"""Payment gateways and payment records."""
