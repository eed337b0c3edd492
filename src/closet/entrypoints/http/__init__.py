"""The HTTP API: Litestar handlers that call use cases, never adapters."""
