"""Fabrica, the hosted background-removal service."""
