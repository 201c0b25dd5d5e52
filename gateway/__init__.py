"""The gateway runtime: settings, store, transports, Odoo client, Celery app and the faces
(HTTP app and the `edigw` CLI). Pure EDI logic lives in `translators`, never here."""

__version__ = "0.1.0"
