"""Demo notifications: a welcome note to the whole province and a personal one, so the inbox is not empty."""

from sqlmodel import Session

from server.demo.context import DemoContext
from server.notifications.service import notify


def seed(session: Session, ctx: DemoContext) -> None:
    notify(session, org_ids=[ctx.orgs["tinh"]], kind="welcome",
           title="Chào mừng đến với Sổ tay đảng viên điện tử",
           body="Văn bản, lịch sinh hoạt chi bộ và thông báo của cấp ủy được cập nhật tại đây, "
                "kể cả khi không có mạng.")
    if "dangvien.chaunga" in ctx.users:
        notify(session, user_ids=[ctx.users["dangvien.chaunga"]], kind="welcome",
               title="Tài khoản của đồng chí đã sẵn sàng",
               body="Hãy đổi mật khẩu ở lần đăng nhập đầu tiên.")
