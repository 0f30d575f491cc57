"""Small device preferences (server address, refresh token, text size, contrast) behind an interface."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol


class Prefs(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str) -> None: ...
    async def remove(self, key: str) -> None: ...


class MemoryPrefs:
    """For tests and for sessions where nothing should outlive the process."""

    def __init__(self, values: dict[str, str] | None = None):
        self.values: dict[str, str] = dict(values or {})

    async def get(self, key: str) -> str | None:
        return self.values.get(key)

    async def set(self, key: str, value: str) -> None:
        self.values[key] = value

    async def remove(self, key: str) -> None:
        self.values.pop(key, None)


class FilePrefs(MemoryPrefs):
    """A JSON file: used on a device where the app's data directory is known."""

    def __init__(self, path: Path):
        self.path = path
        values: dict[str, Any] = {}
        if path.exists():
            try:
                values = json.loads(path.read_text())
            except ValueError:
                values = {}
        super().__init__({k: str(v) for k, v in values.items()})

    async def set(self, key: str, value: str) -> None:
        await super().set(key, value)
        self._save()

    async def remove(self, key: str) -> None:
        await super().remove(key)
        self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.values))


class FletPrefs:
    """ft.SharedPreferences: on a phone the OS store, in web mode the browser's localStorage."""

    PREFIX = "sotay."

    def __init__(self, shared_preferences: Any):
        self._sp = shared_preferences

    async def get(self, key: str) -> str | None:
        value = await self._sp.get(self.PREFIX + key)
        return None if value is None else str(value)

    async def set(self, key: str, value: str) -> None:
        await self._sp.set(self.PREFIX + key, value)

    async def remove(self, key: str) -> None:
        await self._sp.remove(self.PREFIX + key)
