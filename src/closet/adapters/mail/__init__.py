"""Delivering account emails: SMTP, or the log for the embedded default."""
