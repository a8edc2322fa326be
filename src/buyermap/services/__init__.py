"""Use cases. Keyword-only functions that take the session; the caller owns the transaction."""
