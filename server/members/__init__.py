"""Party members, accounts, roles and transfers."""
