"""Domain-free building blocks of the server (HTTP limits, headers, proxies)."""
