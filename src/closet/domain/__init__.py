"""Entities, value objects and rules. Pure Python: the standard library only."""
