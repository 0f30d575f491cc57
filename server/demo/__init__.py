"""Demo data built from the seed articles (Nghệ An), created only on request into an empty database."""
