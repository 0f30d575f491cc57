"""The meeting's agenda being edited: items with their documents, picked from what the cell sees or uploaded;
a new meeting's (sent with the form) or an existing one's (loaded from it, saved on its own)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from client.api import ApiError
from client.state.app import AppState
from client.state.meetings import OWN_FIELDS, MeetingsState, Outcome
from shared.schemas.meetings import AgendaItemIn, MeetingUpdate

DEFAULT_ITEMS = ("Đánh giá kết quả tháng", "Triển khai nhiệm vụ tháng tới")
MAX_DOCUMENTS = 50  # per item, as the server's AgendaItemIn allows
SEARCH_LIMIT = 30
# What a member's device holds and shows: a draft or a withdrawn paper would be refused by the server.
_LIVE = (None, "published", "superseded")
# A meeting whose agenda can still change (the server's rule: not once closed or cancelled).
EDITABLE = ("draft", "scheduled", "in_progress")
LOCKED = "Buổi sinh hoạt đã kết thúc hoặc đã hủy: không sửa được chương trình."
SAVED = "Đã lưu chương trình sinh hoạt."


@dataclass
class AgendaItemDraft:
    title: str
    document_ids: list[int] = field(default_factory=list)
    presenter: str | None = None  # kept as they were: the editor does not show them
    notes: str | None = None


class AgendaEditor:
    """Items (title + documents) of the meeting being planned; the view draws them and calls these."""

    def __init__(self, app: AppState, titles: tuple[str, ...] = DEFAULT_ITEMS):
        self.app = app
        self.items = [AgendaItemDraft(t) for t in titles]
        self.meeting: dict[str, Any] | None = None  # the existing meeting being edited (see load)

    @classmethod
    def of_meeting(cls, app: AppState, meeting: dict[str, Any]) -> AgendaEditor:
        """The agenda of an existing meeting, in order, ready to edit."""
        editor = cls(app, ())
        for item in sorted(meeting.get("agenda") or [], key=lambda i: int(i.get("position") or 0)):
            editor.items.append(AgendaItemDraft(
                str(item.get("title") or ""), [int(d) for d in item.get("document_ids") or []],
                item.get("presenter"), item.get("notes"),
            ))
        return editor

    @staticmethod
    def editable(meeting: dict[str, Any] | None) -> bool:
        return bool(meeting) and (meeting or {}).get("status") in EDITABLE

    async def load(self, meeting_id: int) -> dict[str, Any] | None:
        """The meeting fresh from the server (the device's copy offline), its agenda now this editor's."""
        meetings = MeetingsState(self.app)
        await meetings.load_detail(meeting_id)
        meeting = meetings.get(meeting_id)
        if meeting:
            self.items = AgendaEditor.of_meeting(self.app, meeting).items
        self.meeting = meeting
        return meeting

    async def save(self) -> Outcome:
        """Replace the loaded meeting's agenda with this one on the server (item ids stay while titles
        do)."""
        meeting = self.meeting
        if meeting is None or not self.editable(meeting):
            return Outcome(False, LOCKED)
        items = self.payload()
        if not items:
            return Outcome(False, "Chương trình cần ít nhất một mục.")
        body = MeetingUpdate(agenda=[AgendaItemIn.model_validate(i) for i in items])
        try:
            saved = await self.app.call(self.app.require_api().update_meeting(int(meeting["id"]), body))
        except ApiError as exc:
            return Outcome(False, exc.message)
        store = self.app.require_store()
        stored = store.get("meeting", saved.id) or {}
        fresh = saved.model_dump(mode="json", exclude=set(OWN_FIELDS))  # a member's own: never stored
        self.meeting = {**stored, **fresh}
        store.put("meeting", saved.id, self.meeting)
        self.app.notify("data")
        return Outcome(True, SAVED, queued=False)

    # --- items ----------------------------------------------------------------------------------------

    def add_item(self, title: str = "") -> int:
        self.items.append(AgendaItemDraft(title))
        return len(self.items) - 1

    def remove_item(self, index: int) -> None:
        if 0 <= index < len(self.items):
            del self.items[index]

    def set_title(self, index: int, title: str) -> None:
        if 0 <= index < len(self.items):
            self.items[index].title = title

    def payload(self) -> list[dict[str, Any]]:
        """The agenda as POST /meetings takes it: untitled items are left out (an empty line is no item)."""
        return [
            {"title": item.title.strip(), "document_ids": list(item.document_ids),
             **{k: v for k, v in (("presenter", item.presenter), ("notes", item.notes)) if v}}
            for item in self.items
            if item.title.strip()
        ]

    # --- documents ------------------------------------------------------------------------------------

    def attach(self, index: int, doc_id: int) -> Outcome:
        if not 0 <= index < len(self.items):
            return Outcome(False, "Không tìm thấy mục này trong chương trình.")
        item = self.items[index]
        if doc_id in item.document_ids:
            return Outcome(True, f"Tài liệu đã có trong mục {index + 1}.")
        if len(item.document_ids) >= MAX_DOCUMENTS:
            return Outcome(False, f"Mỗi mục kèm tối đa {MAX_DOCUMENTS} tài liệu.")
        item.document_ids.append(doc_id)
        return Outcome(True, f"Đã thêm \"{self.doc_title(doc_id)}\" vào mục {index + 1}.")

    def detach(self, index: int, doc_id: int) -> None:
        if 0 <= index < len(self.items) and doc_id in self.items[index].document_ids:
            self.items[index].document_ids.remove(doc_id)

    def doc_title(self, doc_id: int) -> str:
        store = self.app.store
        doc = store.get("document", doc_id) if store else None
        return (doc or {}).get("title") or f"Tài liệu số {doc_id}"

    def search(self, query: str, index: int | None = None) -> list[dict[str, Any]]:
        """Documents the cell sees, from this device's copy (the server sent the secretary what reaches the
        cell): published ones only, without tone marks, those already on the item left out."""
        store = self.app.store
        if store is None:
            return []
        found = store.search("document", query) if query.strip() else store.all("document")
        taken: set[int] = set()
        if index is not None and 0 <= index < len(self.items):
            taken = set(self.items[index].document_ids)
        out = [d for d in found if d.get("status") in _LIVE and d.get("id") not in taken]
        out.sort(key=lambda d: str(d.get("published_at") or d.get("updated_at") or ""), reverse=True)
        return out[:SEARCH_LIMIT]

    async def upload(self, index: int, cell_id: int | None, title: str, filename: str, content: bytes,
                     content_type: str = "application/octet-stream") -> Outcome:
        """Publish a paper for the cell's meeting with its file, then attach it to the item."""
        if not 0 <= index < len(self.items):
            return Outcome(False, "Không tìm thấy mục này trong chương trình.")
        if cell_id is None:
            return Outcome(False, "Chỉ bí thư chi bộ mới tải tài liệu họp lên.")
        if not content:
            return Outcome(False, "Tệp trống, vui lòng chọn tệp khác.")
        name = title.strip() or PurePath(filename).stem.replace("_", " ").strip() or "Tài liệu sinh hoạt"
        if len(name) < 2:
            return Outcome(False, "Vui lòng nhập tên tài liệu.")
        try:
            doc, attachment = await self.app.call(
                self.app.require_api().publish_meeting_paper(cell_id, name, filename, content, content_type)
            )
        except ApiError as exc:
            return Outcome(False, exc.message)
        store = self.app.require_store()
        # Kept on this device at once, so the form and the meeting show its title before the next sync.
        store.put("document", doc.id, doc.model_dump(mode="json"))
        store.put("attachment", attachment.id, {**attachment.model_dump(mode="json"), "document_id": doc.id})
        self.attach(index, doc.id)
        return Outcome(True, f"Đã tải lên \"{doc.title}\" và thêm vào mục {index + 1}.")

