"""A client device signed in to the live test server, for the tests that run the app's states against it."""

from pathlib import Path

from client.state.app import AppState, ClientConfig
from client.state.prefs import MemoryPrefs
from tests.factories import Person


async def signed_in(url: str, root: Path, person: Person) -> AppState:
    """A fresh device (its own data directory under `root`) on which `person` has signed in."""
    app = AppState(ClientConfig(server_url=url, data_root=root), MemoryPrefs())
    await app.sign_in("", person.username, person.password)
    return app
