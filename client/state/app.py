"""The signed-in session of one app window: server, tokens, profile, store, sync engine, listeners."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from client.api import Api, ApiError, OfflineError, SessionEnded, Tokens, normalise_server_url
from client.state.prefs import Prefs
from client.store import OutboxItem, SqliteStore, Store, open_user_store
from client.sync import SyncEngine
from shared.enums import CELL_ROLES, Role
from shared.schemas.auth import MePublic

log = logging.getLogger(__name__)

TEXT_SCALES = (1.0, 1.5, 2.0)
"""Vừa, Lớn, Rất lớn: the largest is twice the normal size (200%), what the elderly-first brief asks for."""


@dataclass
class ClientConfig:
    server_url: str = ""
    data_root: Path = field(default_factory=lambda: Path("./data/client"))
    device_name: str = "Sổ tay đảng viên (web)"
    fixed_server: bool = False  # the web deployment serves one server: do not ask for an address
    # Read at every check, so tests can set the clock (month ends, 23:59 in Vietnam).
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


DEFAULT_OFFLINE_MAX_DAYS = 30
EXPIRED_NOTICE = (
    "Đã quá {days} ngày thiết bị không kết nối được máy chủ nên dữ liệu trên máy đã được xoá "
    "để giữ an toàn. Vui lòng đăng nhập lại khi có mạng."
)


ApiFactory = Callable[..., Api]
StoreFactory = Callable[[Path, str, int], Store]


def _default_store(root: Path, server: str, user_id: int) -> Store:
    return open_user_store(root, server, user_id)


class AppState:
    """Everything a screen may ask about the session, without any controls."""

    def __init__(
        self,
        config: ClientConfig,
        prefs: Prefs,
        *,
        api_factory: ApiFactory = Api,
        store_factory: StoreFactory = _default_store,
    ):
        self.config = config
        self.prefs = prefs
        self._api_factory = api_factory
        self._store_factory = store_factory
        self.server_url = normalise_server_url(config.server_url) if config.server_url else ""
        self.api: Api | None = None
        self.store: Store | None = None
        self.engine: SyncEngine | None = None
        self.me: MePublic | None = None
        self.online: bool = True
        self.text_scale: float = 1.0
        self.high_contrast: bool = False  # dark text on white, strong borders: for weak eyes and sunlight
        self.notice: str | None = None  # a message the next screen shows once (e.g. "session ended")
        self.live_notice: str | None = None  # the title of a notification that just arrived
        self.after_login: str | None = None  # where to go once signed in (a deep link opened signed out)
        self._listeners: list[Callable[[str], None]] = []
        self._stop: asyncio.Event | None = None
        self._sync_task: asyncio.Task | None = None  # the running run_sync, so a pause can end it at once
        self._last_contact: datetime | None = None
        # The server's answers to queued actions this session, by client id (see SyncEngine.on_answer).
        # An applied check-in is known here before the next pull brings its attendance entity.
        self.answers: dict[str, tuple[OutboxItem, dict[str, Any]]] = {}

    # --- observers -----------------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[str], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def notify(self, what: str = "data") -> None:
        for listener in list(self._listeners):
            try:
                listener(what)
            except Exception:  # a broken view must not stop the others from updating
                log.exception("listener failed")

    # --- who ---------------------------------------------------------------------------------------

    @property
    def signed_in(self) -> bool:
        return self.me is not None and self.store is not None

    def _roles(self) -> set[Role]:
        return {g.role for g in self.me.roles} if self.me else set()

    @property
    def led_cell_ids(self) -> list[int]:
        if not self.me:
            return []
        return [g.organization.id for g in self.me.roles if g.role in CELL_ROLES and g.organization]

    @property
    def is_secretary(self) -> bool:
        return bool(self.led_cell_ids)

    @property
    def is_staff(self) -> bool:
        return bool(self._roles() & {Role.staff, Role.admin})

    @property
    def pending_actions(self) -> int:
        return len(self.store.outbox("pending")) if self.store else 0

    # --- sign in / out -----------------------------------------------------------------------------

    async def load_prefs(self) -> None:
        if not self.config.fixed_server or not self.server_url:
            saved = await self.prefs.get("server_url")
            if saved and not self.server_url:
                self.server_url = saved
        scale = await self.prefs.get("text_scale")
        if scale:
            try:
                # a size saved by an older version (1.2, 1.4) becomes the nearest one offered now
                self.text_scale = min(TEXT_SCALES, key=lambda s: abs(s - float(scale)))
            except ValueError:
                self.text_scale = 1.0
        self.high_contrast = (await self.prefs.get("high_contrast")) == "1"

    async def _save_tokens(self, tokens: Tokens | None) -> None:
        if tokens is None:
            await self.prefs.remove("refresh_token")
        else:
            await self.prefs.set("refresh_token", tokens.refresh)

    def _make_api(self, tokens: Tokens | None = None) -> Api:
        return self._api_factory(self.server_url, tokens=tokens, on_tokens=self._save_tokens,
                                 saved_refresh=lambda: self.prefs.get("refresh_token"))

    async def sign_in(self, server_url: str, username: str, password: str) -> None:
        """Raises ApiError (with a Vietnamese message) when the server refuses."""
        server_url = normalise_server_url(server_url or self.server_url)
        if not server_url:
            raise ApiError(0, "no_server", "Vui lòng nhập địa chỉ máy chủ.")
        if not username.strip() or not password:
            raise ApiError(0, "missing_credentials", "Vui lòng nhập tên đăng nhập và mật khẩu.")
        if self.api is not None:
            await self.api.aclose()
        self.server_url = server_url
        self.api = self._make_api()
        # Per server and account: proof that this device signed in before, so a stranger's wrong guesses
        # never keep the member out of their own phone. Kept after sign-out; it grants nothing alone.
        device_key = f"device_token:{server_url}:{username.strip().lower()}"
        await self.api.login(
            username.strip(), password, self.config.device_name, await self.prefs.get(device_key)
        )
        if self.api.device_token:
            await self.prefs.set(device_key, self.api.device_token)
        me = await self.api.me()
        await self.prefs.set("server_url", server_url)
        await self._open(me)

    async def restore(self) -> bool:
        """Resume a saved sign-in; works offline from the cached profile. False: show the sign-in."""
        await self.load_prefs()
        refresh = await self.prefs.get("refresh_token")
        user_id = await self.prefs.get("user_id")
        if not (self.server_url and refresh):
            return False
        self.api = self._make_api(Tokens(access="", refresh=refresh))
        try:
            # The access token is not kept between runs: get a fresh one first, explicitly.
            await self.api.refresh()
            me = await self.api.me()
        except OfflineError:
            if not user_id:
                return False
            store = self._store_factory(self.config.data_root, self.server_url, int(user_id))
            cached = store.get_meta("me")
            if not cached:
                store.close()
                return False
            days = int(store.get_meta("offline_max_days") or DEFAULT_OFFLINE_MAX_DAYS)
            last = store.get_meta("last_contact")
            if not last:  # a copy made before this rule existed: its clock starts now
                last = self.config.clock().isoformat()
                store.set_meta("last_contact", last)
            if self.config.clock() - datetime.fromisoformat(str(last)) > timedelta(days=days):
                # A phone out of touch this long may be lost: its copy of the documents goes, and only
                # a new sign-in brings it back.
                store.wipe()
                await self._wipe_saved_user()
                self.notice = EXPIRED_NOTICE.format(days=days)
                return False
            self.store = store
            self.me = MePublic.model_validate(cached)
            self._start_engine()
            self.online = False
            return True
        except SessionEnded as exc:
            # Ended while the app was closed (signed out elsewhere, or reported lost): say why.
            await self._wipe_saved_user()
            self.notice = exc.message or "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại."
            return False
        await self._open(me)
        return True

    async def _open(self, me: MePublic) -> None:
        if self.store is not None:
            self.store.close()
        self.me = me
        self.store = self._store_factory(self.config.data_root, self.server_url, me.id)
        self.store.set_meta("me", me.model_dump(mode="json"))
        await self.prefs.set("user_id", str(me.id))
        self.online = True
        self._touch_contact()
        try:  # the province's rule for devices out of touch (SOTAY_OFFLINE_MAX_DAYS)
            info = await self.api.info() if self.api is not None else {}
            days = info.get("offline_max_days")
            if days:
                self.store.set_meta("offline_max_days", int(days))
        except ApiError:
            pass  # an older server, or the network dropped just now: the last known rule stays
        self._start_engine()

    def _touch_contact(self) -> None:
        """The server answered: the offline clock starts again from now."""
        if self.store is not None:
            self._last_contact = self.config.clock()
            self.store.set_meta("last_contact", self._last_contact.isoformat())

    def _on_contact(self) -> None:
        # Every successful poll is a contact; writing it down once an hour is precise enough for a rule
        # counted in days, and keeps a write off each poll.
        if self._last_contact is None or self.config.clock() - self._last_contact >= timedelta(hours=1):
            self._touch_contact()

    def _start_engine(self) -> None:
        assert self.api is not None and self.store is not None
        self.engine = SyncEngine(
            self.api,
            self.store,
            on_change=lambda: self.notify("data"),
            on_status=self._on_status,
            on_notification=self._on_notification,
            on_contact=self._on_contact,
            on_answer=self._on_answer,
        )

    def _on_answer(self, item: OutboxItem, answer: dict[str, Any]) -> None:
        self.answers[item.client_id] = (item, answer)

    def _on_notification(self, data: dict[str, Any]) -> None:
        self.live_notice = str(data.get("title") or "Bạn có thông báo mới.")
        self.notify("notification")

    def _on_status(self, online: bool) -> None:
        self.online = online
        if online:
            self._touch_contact()
        self.notify("status")

    @property
    def syncing(self) -> bool:
        return self._sync_task is not None and not self._sync_task.done()

    async def run_sync(self) -> None:
        """Background task while the app is in use (started by the shell, stopped by pause())."""
        if self.engine is None or self.syncing:
            return  # one loop per session: a reconnect must not start a second one
        stop = self._stop = asyncio.Event()
        self._sync_task = asyncio.current_task()
        try:
            await self.engine.run(stop)
        except SessionEnded as exc:
            await self.session_ended(exc)
        finally:
            if self._sync_task is asyncio.current_task():
                self._sync_task = None

    def pause(self) -> None:
        """Nobody is looking (the tab closed or lost its connection): stop syncing now. Setting the stop
        event alone would leave the event stream open until the server's next message, so the task is
        cancelled too; whatever it was pushing stays in the outbox and goes again on resume."""
        if self._stop is not None:
            self._stop.set()
        task, self._sync_task = self._sync_task, None
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()

    async def sync_now(self) -> bool:
        if self.engine is None:
            return False
        try:
            return await self.engine.sync_now()
        except SessionEnded as exc:
            await self.session_ended(exc)
            return False

    async def session_ended(self, exc: ApiError) -> None:
        """Revoked or expired: the local copy of this user's data goes too."""
        self.notice = exc.message or "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại."
        await self._close(wipe=True)
        self.notify("signed_out")

    async def sign_out(self) -> None:
        if self.api is not None:
            await self.api.logout()
        await self._close(wipe=True)
        self.notify("signed_out")

    async def _close(self, *, wipe: bool) -> None:
        self.pause()
        if self.store is not None:
            if wipe:
                self.store.wipe()
            else:
                self.store.close()
        if wipe:
            await self._wipe_saved_user()
        self.store = None
        self.engine = None
        self.me = None
        self.answers = {}
        if self.api is not None:
            await self.api.aclose()
            self.api = None

    async def _wipe_saved_user(self) -> None:
        user_id = await self.prefs.get("user_id")
        await self.prefs.remove("refresh_token")
        await self.prefs.remove("user_id")
        if user_id and self.server_url and self.store is None:
            store = self._store_factory(self.config.data_root, self.server_url, int(user_id))
            store.wipe()

    def dismiss_failed(self) -> None:
        """The member has seen why the server refused those actions: forget them."""
        if self.store is not None:
            for item in self.store.outbox("failed"):
                self.store.outbox_done(item.client_id)
        self.notify("status")

    # --- settings -----------------------------------------------------------------------------------

    async def set_text_scale(self, scale: float) -> None:
        self.text_scale = scale
        await self.prefs.set("text_scale", str(scale))
        self.notify("theme")

    async def set_high_contrast(self, on: bool) -> None:
        self.high_contrast = on
        await self.prefs.set("high_contrast", "1" if on else "0")
        self.notify("theme")

    def require_api(self) -> Api:
        if self.api is None:
            raise SessionEnded(401, "signed_out", "Bạn cần đăng nhập lại.")
        return self.api

    def require_store(self) -> Store:
        if self.store is None:
            raise SessionEnded(401, "signed_out", "Bạn cần đăng nhập lại.")
        return self.store

    async def call(self, coro: Any) -> Any:
        """Await an API call; a ended session signs out, offline flips the banner, then re-raises."""
        try:
            result = await coro
        except SessionEnded as exc:
            await self.session_ended(exc)
            raise
        except OfflineError:
            if self.online:
                self._on_status(False)
            raise
        if not self.online:
            self._on_status(True)
        return result

    async def list_into_store(
        self, path: str, kind: str, limit: int, shape: Callable[[dict], dict] = lambda item: item
    ) -> tuple[bool, str | None]:
        """Read a list endpoint into the local copy (after a sync: a server whose feed lacks this kind still
        fills it). Says whether the list was stored, and the refusal worth showing (never offline, nor a 404:
        that server has no such list)."""
        if self.api is None:
            return False, None
        try:
            page = await self.call(self.api.get_json(path, params={"limit": limit}))
        except OfflineError:
            return False, None
        except ApiError as exc:
            return False, None if exc.status == 404 else exc.message
        store = self.require_store()
        for item in page.get("items", []):
            current = store.get(kind, item["id"]) or {}
            store.put(kind, item["id"], shape({**current, **item}))
        return True, None


def open_memory_store(_root: Path, _server: str, _user_id: int) -> Store:
    return SqliteStore(":memory:")
