"""The ``buyermap`` command line: a thin edge over the services."""
