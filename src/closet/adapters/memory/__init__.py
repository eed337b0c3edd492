"""In-memory implementations of every port, for tests and the in-process harness."""
