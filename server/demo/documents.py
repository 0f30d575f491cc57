# ruff: noqa: E501  (long Vietnamese text data)
"""Demo documents: the Party documents named in the seed articles, the province's own plans, study topics,
a draft open for comments; each with a small generated PDF (clearly marked as a demo, not the original)."""

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from server.documents import search
from server.documents.models import Attachment, Document, DocumentAudience, FileBlob, ReadMark
from server.documents.stores import get_store
from server.timeutil import utcnow
from shared import docnumber
from shared.docnumber import DOC_TYPE_LABELS, DocType
from shared.schemas.documents import DocCategory, DocStatus
from shared.text import fold

log = logging.getLogger(__name__)

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path(__file__).parent / "fonts"]

TOPIC_HCM = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về ý chí tự lực, tự cường "
    "và khát vọng phát triển đất nước phồn vinh, hạnh phúc"
)
TOPIC_CELL = "Nâng cao chất lượng sinh hoạt chi bộ"

# (title, type, number as written, issuer body, audience keys, category, topic, summary, body)
DOCUMENTS: list[tuple[str, DocType, str, str, list[str], DocCategory, str | None, str, str]] = [
    (
        "Về tăng cường củng cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng đội ngũ đảng viên "
        "trong giai đoạn mới",
        DocType.resolution,
        "Nghị quyết số 21-NQ/TW ngày 16-6-2022",
        "Ban Chấp hành Trung ương Đảng khóa XIII",
        ["tinh"],
        DocCategory.documents,
        None,
        "Nghị quyết Hội nghị Trung ương 5 khóa XIII. Đánh giá tình hình tổ chức cơ sở đảng (TCCSĐ) và đội ngũ "
        "đảng viên; đề ra mục tiêu, nhiệm vụ, giải pháp củng cố, xây dựng TCCSĐ vững mạnh về chính trị, tư "
        "tưởng, tổ chức và đạo đức; nâng cao chất lượng sinh hoạt chi bộ; đổi mới công tác kết nạp đảng viên, "
        "quản lý, đánh giá đảng viên; tiếp tục thí điểm sinh hoạt đảng trực tuyến ở chi bộ có tính chất đặc thù.",
        'Triển khai mô hình "Chi bộ bốn tốt", "Đảng bộ cơ sở bốn tốt"; rà soát, sửa đổi chức năng, nhiệm vụ '
        "của một số loại hình TCCSĐ phù hợp với sắp xếp tinh gọn tổ chức bộ máy; sinh hoạt đảng theo tổ đảng ở "
        "chi bộ đông đảng viên; nâng cao tỷ lệ trưởng thôn, tổ trưởng tổ dân phố là đảng viên.",
    ),
    (
        "Về việc lấy phiếu tín nhiệm đối với chức danh, chức vụ lãnh đạo, quản lý trong hệ thống chính trị",
        DocType.regulation,
        "Quy định số 96-QĐ/TW ngày 2-2-2023",
        "Bộ Chính trị",
        ["tinh"],
        DocCategory.documents,
        None,
        "Quy định đối tượng, thời điểm, nội dung, quy trình lấy phiếu tín nhiệm đối với thành viên lãnh đạo "
        "cấp ủy và cán bộ lãnh đạo, quản lý trong các cơ quan của Đảng, Nhà nước, Mặt trận Tổ quốc và các tổ "
        "chức chính trị - xã hội; sử dụng kết quả lấy phiếu trong đánh giá, quy hoạch, bố trí cán bộ.",
        "Năm 2023 các địa phương đã ban hành văn bản chỉ đạo và tổ chức lấy phiếu tín nhiệm theo phân cấp "
        "quản lý. Cán bộ có tỷ lệ phiếu tín nhiệm thấp được xem xét cho thôi giữ chức vụ, không chờ hết nhiệm kỳ.",
    ),
    (
        "Về đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ thống chính trị; kiên quyết ngăn chặn, đẩy lùi, xử lý nghiêm "
        'cán bộ, đảng viên suy thoái về tư tưởng chính trị, đạo đức, lối sống, biểu hiện "tự diễn biến", '
        '"tự chuyển hóa"',
        DocType.conclusion,
        "Kết luận số 21-KL/TW ngày 25-10-2021",
        "Ban Chấp hành Trung ương Đảng khóa XIII",
        ["tinh"],
        DocCategory.documents,
        None,
        "Kết luận Hội nghị Trung ương 4 khóa XIII: bốn mục tiêu, năm nhóm nhiệm vụ, giải pháp xây dựng, chỉnh "
        "đốn Đảng; gắn với thực hiện nghị quyết đại hội đảng bộ các cấp nhiệm kỳ 2020-2025 và các quy định về "
        "trách nhiệm nêu gương của cán bộ, đảng viên.",
        "Các cấp ủy, tổ chức đảng triển khai năm nhóm nhiệm vụ, giải pháp, chú trọng kiểm tra, giám sát; góp phần "
        "đấu tranh, ngăn chặn, đẩy lùi sự suy thoái về tư tưởng chính trị, đạo đức, lối sống trong nội bộ.",
    ),
    (
        "Về những điều đảng viên không được làm",
        DocType.regulation,
        "Quy định số 37-QĐ/TW ngày 25-10-2021",
        "Ban Chấp hành Trung ương Đảng khóa XIII",
        ["tinh"],
        DocCategory.documents,
        None,
        "Quy định 19 điều đảng viên không được làm, thay thế Quy định số 47-QĐ/TW năm 2011; đảng viên vi phạm "
        "tùy theo mức độ bị xử lý kỷ luật theo quy định của Đảng và pháp luật của Nhà nước.",
        "Không được nói, viết, làm trái hoặc không thực hiện Cương lĩnh chính trị, Điều lệ Đảng, nghị quyết, "
        "chỉ thị, quy định, quyết định, kết luận của Đảng; không được chạy chức, chạy quyền, tham nhũng, tiêu cực.",
    ),
    (
        "Về tiếp tục thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị khóa XII về đẩy mạnh học tập và làm theo "
        "tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        DocType.conclusion,
        "Kết luận số 01-KL/TW ngày 18-5-2021",
        "Bộ Chính trị",
        ["tinh"],
        DocCategory.study,
        TOPIC_HCM,
        "Tiếp tục đưa việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh thành việc làm tự giác, "
        "thường xuyên của các cấp ủy, tổ chức đảng, cán bộ, đảng viên; gắn với trách nhiệm nêu gương của người "
        "đứng đầu và với sinh hoạt chi bộ định kỳ.",
        "Chuyên đề toàn khóa 2021-2025: "
        + TOPIC_HCM
        + ". Mỗi chi bộ đưa nội dung học tập và làm theo Bác vào "
        "sinh hoạt thường kỳ; mỗi đảng viên đăng ký việc làm cụ thể và tự kiểm điểm cuối năm.",
    ),
    (
        "Về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIII của Đảng",
        DocType.directive,
        "Chỉ thị số 35-CT/TW ngày 30-5-2019",
        "Bộ Chính trị",
        ["tinh"],
        DocCategory.documents,
        None,
        "Chỉ đạo việc chuẩn bị và tổ chức đại hội đảng bộ các cấp nhiệm kỳ 2020-2025: nội dung văn kiện, công tác "
        "nhân sự theo quy trình năm bước, bảo đảm dân chủ, khách quan, công tâm, minh bạch; bầu cử đúng Điều lệ "
        "Đảng và Quy chế bầu cử trong Đảng.",
        "Tổ chức thành công Đại hội Đảng bộ các cấp đúng tinh thần Chỉ thị 35 của Bộ Chính trị; tham mưu bố trí, "
        "kiện toàn các chức danh chủ chốt sau đại hội.",
    ),
    (
        "Về lãnh đạo cuộc bầu cử đại biểu Quốc hội khóa XV và bầu cử đại biểu Hội đồng nhân dân các cấp nhiệm kỳ "
        "2021-2026",
        DocType.directive,
        "Chỉ thị số 45-CT/TW ngày 20-6-2020",
        "Bộ Chính trị",
        ["tinh"],
        DocCategory.documents,
        None,
        "Lãnh đạo cuộc bầu cử bảo đảm dân chủ, bình đẳng, đúng pháp luật, an toàn, tiết kiệm; chuẩn bị nhân sự "
        "có phẩm chất, năng lực; kiên quyết đấu tranh ngăn chặn tình trạng chạy chức, chạy quyền (Quy định 205).",
        "Tham mưu lãnh đạo, chỉ đạo thực hiện Chỉ thị số 45-CT/TW; tập trung nhân sự bầu cử đại biểu Quốc hội "
        "khóa XV và Hội đồng nhân dân các cấp.",
    ),
    (
        "Về một số vấn đề về nâng cao chất lượng sinh hoạt chi bộ",
        DocType.guidance,
        "Hướng dẫn số 12-HD/BTCTW ngày 6-7-2018",
        "Ban Tổ chức Trung ương",
        ["tinh"],
        DocCategory.study,
        TOPIC_CELL,
        "Hướng dẫn nội dung, quy trình sinh hoạt chi bộ thường kỳ và chuyên đề; tiêu chí đánh giá chất lượng "
        "sinh hoạt chi bộ: đảng viên dự họp trên 85%, không có đảng viên vắng không lý do, không có đảng viên "
        "vắng quá ba lần liên tiếp trong năm.",
        "Chi bộ sinh hoạt thường kỳ mỗi tháng một lần, sinh hoạt chuyên đề ít nhất mỗi quý một lần; chuẩn bị "
        "nội dung trước, phát huy dân chủ, tự phê bình và phê bình.",
    ),
    (
        "Kế hoạch thực hiện Nghị quyết số 21-NQ/TW của Ban Chấp hành Trung ương khóa XIII trong Đảng bộ tỉnh",
        DocType.plan,
        "Kế hoạch số 102-KH/TU ngày 15-9-2022",
        "Ban Thường vụ Tỉnh ủy Nghệ An (dữ liệu mẫu)",
        ["tinh"],
        DocCategory.documents,
        None,
        "Cụ thể hóa Nghị quyết 21-NQ/TW: củng cố tổ chức cơ sở đảng, xây dựng phần mềm số hóa dữ liệu đảng viên, "
        "triển khai Sổ tay đảng viên điện tử, chỉ tiêu kết nạp đảng viên mới đến năm 2025. (Văn bản mẫu để trình "
        "diễn ứng dụng.)",
        "Tăng cường ứng dụng chữ ký số; số hóa hệ thống dữ liệu phục vụ hoạt động nội bộ; cán bộ diện Ban "
        "Thường vụ Tỉnh ủy quản lý dự sinh hoạt với chi bộ định kỳ.",
    ),
    (
        "Quy chế làm việc của Ban Tổ chức Tỉnh ủy (sửa đổi, bổ sung)",
        DocType.statute,
        "Quy chế số 05-QC/BTCTU ngày 10-1-2024",
        "Ban Tổ chức Tỉnh ủy (dữ liệu mẫu)",
        ["btc"],
        DocCategory.documents,
        None,
        "Sửa đổi, bổ sung Quy chế làm việc theo hướng gọn, rõ, dễ nhớ, dễ thực hiện; phân công phụ trách, quy "
        "định rõ quyền hạn, trách nhiệm; đánh giá chất lượng tham mưu cụ thể hơn. (Văn bản mẫu.)",
        "Thực hiện nghiêm cơ chế thủ trưởng kết hợp nguyên tắc tập trung dân chủ; chương trình công tác năm và "
        "lịch hàng tháng của Ban.",
    ),
    (
        "Kế hoạch phát triển đảng viên năm 2024 của Đảng bộ xã Châu Nga",
        DocType.plan,
        "Kế hoạch số 18-KH/ĐU ngày 20-1-2024",
        "Đảng ủy xã Châu Nga (dữ liệu mẫu)",
        ["chaunga"],
        DocCategory.documents,
        None,
        "Tạo nguồn, bồi dưỡng quần chúng ưu tú ở các bản; phấn đấu mỗi chi bộ bản kết nạp ít nhất một đảng viên; "
        "chú trọng đoàn viên thanh niên, trưởng bản chưa là đảng viên. (Văn bản mẫu.)",
        "Phân công đảng viên chính thức giúp đỡ quần chúng ưu tú; phối hợp Đoàn Thanh niên giới thiệu đoàn viên.",
    ),
    (
        "Tài liệu sinh hoạt chi bộ tháng 12: kiểm điểm, đánh giá, xếp loại đảng viên năm 2023",
        DocType.guidance,
        "",
        "Chi bộ bản Poòng (dữ liệu mẫu)",
        ["banpoong"],
        DocCategory.meeting,
        None,
        "Nội dung sinh hoạt: kiểm điểm tập thể chi bộ và cá nhân đảng viên; tự đánh giá, xếp loại theo bốn mức "
        "của Quy định 124-QĐ/TW; bàn phương hướng năm 2024.",
        "Mỗi đảng viên chuẩn bị bản kiểm điểm cá nhân; chi ủy tổng hợp ý kiến góp ý của quần chúng nơi cư trú.",
    ),
]

DRAFT = (
    "Dự thảo Báo cáo chính trị trình Đại hội đại biểu Đảng bộ tỉnh lần thứ XX, nhiệm kỳ 2025-2030",
    "Lấy ý kiến đảng viên về dự thảo: đánh giá kết quả nhiệm kỳ 2020-2025, mục tiêu, chỉ tiêu nhiệm kỳ "
    "2025-2030, các khâu đột phá và công tác xây dựng Đảng. (Văn bản mẫu.)",
)


def _font() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def make_pdf(title: str, number: str, issuer: str, summary: str, body: str) -> bytes:
    """A one-page PDF standing in for the original; Vietnamese needs a Unicode font (DejaVu)."""
    from fpdf import FPDF  # only demo seeding makes PDFs

    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=UTC))
    pdf.set_title(title)
    pdf.add_page()
    fonts = _font()
    if fonts:
        pdf.add_font("DejaVu", "", str(fonts[0]))
        pdf.add_font("DejaVu", "B", str(fonts[1]))
        family = "DejaVu"
    else:  # no Unicode font: the core font can only show the text without tone marks
        log.warning("DejaVu fonts not found; demo PDFs without Vietnamese marks")
        family = "Helvetica"
        title, number, issuer, summary, body = (fold(t) for t in (title, number, issuer, summary, body))
    width = pdf.epw
    pdf.set_font(family, "B", 11)
    pdf.multi_cell(width, 6, "ĐẢNG CỘNG SẢN VIỆT NAM" if fonts else "DANG CONG SAN VIET NAM", align="C")
    pdf.set_font(family, "", 10)
    pdf.multi_cell(width, 6, issuer, align="C")
    if number:
        pdf.multi_cell(width, 6, number, align="C")
    pdf.ln(4)
    pdf.set_font(family, "B", 13)
    pdf.multi_cell(width, 7, title, align="C")
    pdf.ln(4)
    pdf.set_font(family, "", 11)
    pdf.multi_cell(width, 6, summary)
    pdf.ln(2)
    pdf.multi_cell(width, 6, body)
    pdf.ln(6)
    pdf.set_font(family, "", 9)
    note = (
        "Tài liệu mẫu do ứng dụng Sổ tay đảng viên tạo để trình diễn; không phải bản gốc của văn bản. "
        "Tra cứu toàn văn tại cơ quan ban hành."
    )
    pdf.multi_cell(width, 5, note if fonts else fold(note))
    return bytes(pdf.output())


def _attach_pdf(session: Session, ctx, doc: Document, pdf: bytes, filename: str) -> None:  # type: ignore[no-untyped-def]
    store = get_store(ctx.settings)
    writer = store.new_upload(max_bytes=max(len(pdf), ctx.settings.upload_max_bytes))
    writer.write(pdf)
    pending = writer.finish()
    if session.get(FileBlob, pending.sha256) is None:
        session.add(FileBlob(sha256=pending.sha256, size=pending.size, content_type="application/pdf"))
        session.flush()
    store.put(pending)
    assert doc.id is not None
    session.add(
        Attachment(document_id=doc.id, sha256=pending.sha256, filename=filename, created_by=doc.created_by)
    )


def _add(
    session: Session,
    ctx,
    *,
    title: str,
    doc_type: DocType,
    number: str,
    summary: str,
    body: str,  # type: ignore[no-untyped-def]
    audience: list[str],
    category: DocCategory,
    topic: str | None,
    status: DocStatus,
    published_at: datetime | None,
    publish_at: datetime | None = None,
    comments_until: datetime | None = None,
) -> Document:
    parsed = docnumber.parse(number) if number else None
    doc = Document(
        title=title,
        doc_type=doc_type.value,
        summary=summary,
        body=body,
        category=category.value,
        topic=topic,
        status=status.value,
        published_at=published_at,
        publish_at=publish_at or published_at,
        comments_until=comments_until,
        created_by=ctx.users.get("bantochuc"),
        offline_allowed=True,
    )
    if parsed:
        doc.number = parsed.display if parsed.explicit_code else parsed.number
        doc.type_code = parsed.type_code or docnumber.DOC_TYPE_CODES[doc_type]
        doc.issuer = parsed.issuer
        doc.issuer_key = fold(parsed.issuer) if parsed.issuer else None
        doc.issued_on = parsed.issued_on
        tokens = parsed.tokens()
        doc.number_key = tokens[0] if tokens else None
    else:
        doc.type_code = docnumber.DOC_TYPE_CODES[doc_type]
    doc.year = doc.issued_on.year if doc.issued_on else (published_at or utcnow()).year
    session.add(doc)
    session.flush()
    assert doc.id is not None
    for key in audience:
        session.add(DocumentAudience(document_id=doc.id, org_id=ctx.orgs[key]))
    session.flush()
    search.index_document(session, doc)
    return doc


def seed(session: Session, ctx) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    docs: dict[str, int] = {}
    for title, doc_type, number, issuer, audience, category, topic, summary, body in DOCUMENTS:
        parsed = docnumber.parse(number) if number else None
        issued = parsed.issued_on if parsed and parsed.issued_on else (now - timedelta(days=20)).date()
        published = datetime.combine(
            max(issued, date(2024, 1, 1)) if "mẫu" in issuer else issued, datetime.min.time(), tzinfo=UTC
        ) + timedelta(hours=2)
        published = min(published, now)
        doc = _add(
            session,
            ctx,
            title=title,
            doc_type=doc_type,
            number=number,
            summary=summary,
            body=body,
            audience=audience,
            category=category,
            topic=topic,
            status=DocStatus.published,
            published_at=published,
        )
        label = (
            f"{DOC_TYPE_LABELS[doc_type]} {number.split(' ngày')[0]}" if number else DOC_TYPE_LABELS[doc_type]
        )
        pdf = make_pdf(title, number or "", issuer, summary, body)
        filename = fold(label).replace(" ", "-").replace("/", "-") + ".pdf"
        _attach_pdf(session, ctx, doc, pdf, filename)
        docs[number or title] = doc.id or 0
    draft = _add(
        session,
        ctx,
        title=DRAFT[0],
        doc_type=DocType.report,
        number="",
        summary=DRAFT[1],
        body=DRAFT[1],
        audience=["tinh"],
        category=DocCategory.documents,
        topic=None,
        status=DocStatus.draft,
        published_at=None,
        comments_until=now + timedelta(days=30),
    )
    _attach_pdf(
        session,
        ctx,
        draft,
        make_pdf(
            DRAFT[0],
            "",
            "Ban Chấp hành Đảng bộ tỉnh (dữ liệu mẫu)",
            DRAFT[1],
            "Đảng viên góp ý trực tiếp trên ứng dụng trước hạn.",
        ),
        "du-thao-bao-cao-chinh-tri.pdf",
    )
    _add(
        session,
        ctx,
        title="Thông báo lịch sinh hoạt chi bộ tháng tới",
        doc_type=DocType.notice,
        number="",
        summary="Các chi bộ sinh hoạt thường kỳ từ ngày 3 đến ngày 5 hằng tháng. (Văn bản mẫu, hẹn giờ phát hành.)",
        body="",
        audience=["tinh"],
        category=DocCategory.documents,
        topic=None,
        status=DocStatus.scheduled,
        published_at=None,
        publish_at=now + timedelta(days=2),
    )
    # A couple of read marks so the statistics screen has something to show.
    member_user = ctx.users.get("dangvien.tcdv")
    if member_user:
        for key in ("Nghị quyết số 21-NQ/TW ngày 16-6-2022", "Quy định số 96-QĐ/TW ngày 2-2-2023"):
            session.add(
                ReadMark(
                    document_id=docs[key],
                    user_id=member_user,
                    member_id=ctx.members.get("dangvien.tcdv"),
                    read_at=now - timedelta(days=1),
                )
            )
    session.flush()
