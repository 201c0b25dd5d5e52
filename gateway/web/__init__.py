"""The HTTP face: AS2 endpoint, REST API, metrics, health and the web console."""

from gateway.web.app import create_app

__all__ = ["create_app"]
