"""The codec server: Temporal's remote codec protocol over the payload keys, so the Web UI and the CLI show decrypted payloads."""
