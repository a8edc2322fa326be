"""Pydantic I/O types: XCreate (input), XUpdate (partial input), XPublic (output)."""
