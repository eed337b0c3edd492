"""Blob storage on the local filesystem."""
