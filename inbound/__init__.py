"""The inbound pipeline as Celery tasks: intake -> envelope -> validate -> acknowledge ->
translate -> post."""
