"""Files in and out of the workspace: readers, column mapping, validation, import, export."""
