"""Registers the inbound pipeline's jobs (importing this module is what makes them known)."""

from inbound import polls, post, process, sweep

__all__ = ["polls", "post", "process", "sweep"]
