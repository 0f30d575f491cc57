"""The member's year: yearly commitments (and, later, study checks and the year-end self-review)."""
