"""Registers the inbound pipeline's jobs (importing this module is what makes them known)."""

from inbound import sweep

__all__ = ["sweep"]
