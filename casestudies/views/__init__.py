"""The public library and the downloads page."""
