"""Registers the inbound pipeline's jobs (importing this module is what makes them known)."""

from inbound import post, process, sweep

__all__ = ["post", "process", "sweep"]
