"""Health and server information."""
