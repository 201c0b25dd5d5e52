"""AS2 transport (RFC 4130, RFC 5402): receive, verify and store messages, answer with
MDNs; build, send and verify outbound messages. See docs/as2.md.

Public entry points (modules are imported where needed, to keep `edigw` start-up light):
`config.PartnerAs2Config`, `config.As2Directory`, `config.StaticDirectory`,
`config.load_key_pair`, `config.certificate_warnings`; `http.router()`;
`client.send()` -> `client.SendResult`, `client.wait_for_mdn`, `client.mark_overdue`;
`receive.resend_pending_mdns`; `metrics.watch_certificates`; `errors` (the hierarchy)."""
