"""The outbound pipeline: render canonical records to EDI, envelope with per-partner
control numbers, send, and reconcile the acknowledgements that come back (SLA sweeps)."""
