"""What the demo seeders share: the demo password and the context one seeder leaves for the next."""

import random

from server.config import Settings

DEMO_PASSWORD = "demo12345"


class DemoContext:
    """What one seeder leaves for the next: ids by key, a fixed random source, settings."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.rng = random.Random(2023)
        self.orgs: dict[str, int] = {}
        self.members: dict[str, int] = {}  # by username or "cell:index"
        self.users: dict[str, int] = {}
        self.cell_members: dict[str, list[int]] = {}
        self.report_month = ""  # "YYYY-MM" the meeting profiles describe (see demo.meetings.report_month)
