"""Adapters: implementations of the application's ports. Only the container imports them."""
