"""Records: what every domain writes to and nobody owns (change log, audit, org tree, members and users)."""
