"""Password hashing and other secrets handling."""
