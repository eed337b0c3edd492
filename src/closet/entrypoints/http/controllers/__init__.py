"""HTTP controllers: decode, call one use case, encode. No try/except, no business rules."""
