"""Change log behind the delta sync feed and live push."""
