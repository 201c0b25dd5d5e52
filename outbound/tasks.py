"""Registers the outbound pipeline's jobs (importing this module is what makes them known)."""

from outbound import acks, deliver, tenders

__all__ = ["acks", "deliver", "tenders"]
