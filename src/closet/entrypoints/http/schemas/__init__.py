"""Wire types (msgspec). Unknown fields are refused everywhere."""
