"""Charts: functions from an analysis result to a matplotlib figure (no database, no I/O)."""
