"""Ports: the interfaces the use cases need, one module per concern."""
