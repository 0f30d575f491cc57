"""Documents, resolutions and study materials: publishing, files, search, read receipts."""
