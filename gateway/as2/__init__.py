"""AS2 transport (RFC 4130, RFC 5402): receive, verify and store messages, answer with
MDNs; build, send and verify outbound messages. See docs/as2.md."""
