"""The REST API. Versioned packages (``v1``) keep old clients working when it changes."""
