"""A minimal feed-following client, the way a device keeps its local copy."""

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient


@dataclass
class Device:
    client: TestClient
    headers: dict[str, str]
    limit: int = 200
    cursor: str | None = None
    store: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    pages: int = 0
    resets: int = 0

    def pull(self) -> None:
        while True:
            params: dict[str, Any] = {"limit": self.limit}
            if self.cursor:
                params["cursor"] = self.cursor
            resp = self.client.get("/api/v1/sync", params=params, headers=self.headers)
            assert resp.status_code == 200, resp.text
            page = resp.json()
            self.pages += 1
            if page["reset"]:
                self.resets += 1
                self.store.clear()
            versions = [c["version"] for c in page["changes"]]
            assert versions == sorted(versions)
            for change in page["changes"]:
                key = (change["type"], change["id"])
                if change["op"] == "upsert":
                    self.store[key] = change["data"]
                else:
                    self.store.pop(key, None)
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return

    def of_type(self, entity_type: str) -> dict[int, dict[str, Any]]:
        return {i: d for (t, i), d in self.store.items() if t == entity_type}


def fresh_view(client: TestClient, headers: dict[str, str]) -> dict[tuple[str, int], dict[str, Any]]:
    """What a brand-new device gets: the server's view of this member now."""
    device = Device(client, headers, limit=1000)
    device.pull()
    return device.store
