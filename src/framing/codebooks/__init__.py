"""Package data: codebooks, alias tables and word lists (see ``framing._codebooks``)."""
