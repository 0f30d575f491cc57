"""Sign-in, device sessions, tokens and the caller's permissions."""
