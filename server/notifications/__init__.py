"""Notifications: the member's inbox, delivered through the sync feed and the live stream."""
