"""Ways in: HTTP (Litestar) and the command line."""
