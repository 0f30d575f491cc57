"""Screen state without controls: what each screen shows and does."""
