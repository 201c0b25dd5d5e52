"""Registers the outbound pipeline's jobs."""
