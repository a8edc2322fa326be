"""Plain types and rules of the domain: no I/O, no database."""
