"""The state of one run, shared by its steps (ids, member ranges, one random stream per phase)."""

import random
from datetime import timedelta

from server.config import Settings
from server.db import Database
from server.generate.province.base import (
    Options,
    Org,
    Progress,
    local,
)
from server.generate.province.writer import Doc


class Run:
    """What one run knows; each step (a subclass) adds its tables and leaves what the next needs."""

    def __init__(self, db: Database, settings: Settings, options: Options, progress: Progress):
        self.db, self.settings, self.opt, self.progress = db, settings, options, progress
        self.until = local(options.until, "00:00")
        self.rollout = self.until - timedelta(days=400)  # when the accounts were created
        self.counts: dict[str, int] = {}
        self.orgs: list[Org] = []
        self.cells: list[Org] = []
        self.usernames: list[str] = []
        self.staff_of: dict[int, list[int]] = {}  # org id -> member indices of its staff
        self.docs: list[Doc] = []
        self.base: dict[str, int] = {}  # largest id already in each table written with explicit ids
        self.taken: dict[str, int] = {}  # usernames handed out, by base: how many
        self.existing_users: set[str] = set()

    def rng(self, phase: str) -> random.Random:
        """Each phase its own stream: changing one phase leaves the others' data as it was."""
        return random.Random(f"{self.opt.seed}:{phase}")

    def member_id(self, index: int) -> int:
        """Member ids follow the member indices (cells in depth-first order)."""
        return self.base["member"] + 1 + index

    def user_id(self, index: int) -> int:
        """Each member's account has the same index; the administrator comes last."""
        return self.base["user_account"] + 1 + index
