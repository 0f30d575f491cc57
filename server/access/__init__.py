"""Who may do what: one module per kind of object (house floor 3, above records, below domains)."""
