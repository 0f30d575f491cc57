"""Phrases the generator builds documents, agendas, minutes and comments from."""

SUBJECTS = [
    "tăng cường củng cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng đội ngũ đảng viên",
    "nâng cao chất lượng sinh hoạt chi bộ",
    "lấy phiếu tín nhiệm đối với chức danh lãnh đạo, quản lý",
    "thực hiện Quy định những điều đảng viên không được làm",
    "đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "chuẩn bị đại hội chi bộ, đảng bộ cơ sở nhiệm kỳ tới",
    "lãnh đạo cuộc bầu cử đại biểu Quốc hội và Hội đồng nhân dân các cấp",
    "công tác phát triển đảng viên trong đoàn viên thanh niên",
    "chuyển đổi số trong công tác tổ chức xây dựng Đảng",
    "sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu lực, hiệu quả",
    "công tác kiểm tra, giám sát và thi hành kỷ luật đảng",
    "công tác bảo vệ chính trị nội bộ",
    "xây dựng nông thôn mới nâng cao, khu dân cư kiểu mẫu",
    "công tác cán bộ, quy hoạch, luân chuyển cán bộ",
    "phòng, chống tham nhũng, lãng phí, tiêu cực",
    "bảo đảm an sinh xã hội, giảm nghèo bền vững",
    "kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm {year}",
    "thu, nộp, quản lý và sử dụng đảng phí",
    "quản lý đảng viên đi làm ăn xa nơi cư trú",
    "phát huy vai trò nêu gương của cán bộ, đảng viên",
    "bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch",
    "phòng, chống thiên tai, tìm kiếm cứu nạn mùa mưa bão",
    "bảo đảm an ninh trật tự, an toàn giao thông dịp Tết Nguyên đán",
    "tuyển chọn, gọi công dân nhập ngũ năm {next}",
    "phòng, chống dịch bệnh trên gia súc, gia cầm",
    "phát triển kinh tế tập thể, hợp tác xã",
    "thực hiện dân chủ ở cơ sở",
    "công tác dân vận của chính quyền các cấp",
    "trao tặng Huy hiệu Đảng đợt 3/2 và 19/5",
    "cấp, phát và quản lý thẻ đảng viên",
    "thực hiện Quy chế làm việc của cấp ủy",
    "công tác thi đua, khen thưởng năm {year}",
    "sơ kết 6 tháng đầu năm, phương hướng nhiệm vụ 6 tháng cuối năm",
    "tổng kết công tác xây dựng Đảng năm {year}, phương hướng nhiệm vụ năm {next}",
    "sử dụng Sổ tay đảng viên điện tử trong sinh hoạt chi bộ",
]
STUDY_TOPICS = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về ý chí tự lực, tự cường",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Chuẩn mực đạo đức cách mạng của cán bộ, đảng viên trong giai đoạn mới",
    "Chuyển đổi số trong công tác xây dựng Đảng",
    "Bảo vệ nền tảng tư tưởng của Đảng",
]
# Central documents that local ones carry out ("Thực hiện Nghị quyết số 21-NQ/TW ...").
CITED = [
    "Nghị quyết số 21-NQ/TW", "Quy định số 96-QĐ/TW", "Quy định số 37-QĐ/TW", "Kết luận số 01-KL/TW",
    "Chỉ thị số 35-CT/TW", "Hướng dẫn số 12-HD/BTCTW", "Quy định số 144-QĐ/TW", "Quy định số 124-QĐ/TW",
    "Chỉ thị số 05-CT/TW", "Nghị quyết số 57-NQ/TW", "Nghị quyết số 18-NQ/TW", "Quy định số 114-QĐ/TW",
    "Kết luận số 21-KL/TW", "Quy định số 22-QĐ/TW",
]

# Title of a document of each type: "{subject}" and "{cited}" are filled in.
TITLE_TEMPLATES: dict[str, list[str]] = {
    "resolution": ["Về {subject}", "Nghị quyết chuyên đề về {subject}"],
    "directive": ["Về {subject}", "Về tăng cường sự lãnh đạo của cấp ủy đối với {subject}"],
    "conclusion": ["Kết luận của Ban Thường vụ về {subject}", "Về tiếp tục {subject}"],
    "regulation": ["Về {subject}", "Quy định về {subject}"],
    "decision": ["Về việc kiện toàn Ban Chỉ đạo {subject}", "Về việc thành lập Tổ công tác {subject}"],
    "statute": ["Quy chế phối hợp về {subject}", "Quy chế làm việc về {subject}"],
    "guidance": ["Hướng dẫn {subject}", "Hướng dẫn thực hiện {cited} về {subject}"],
    "plan": ["Kế hoạch thực hiện {cited} về {subject}", "Kế hoạch {subject}"],
    "notice": ["Thông báo kết luận của Thường trực về {subject}", "Thông báo về {subject}"],
    "report": ["Báo cáo kết quả {subject}", "Báo cáo sơ kết {subject}"],
    "scheme": ["Đề án {subject}"],
    "letter": ["Về việc {subject}", "V/v triển khai {subject}"],
}
SUMMARIES = [
    "Thực hiện {cited}, {issuer} đề ra mục tiêu, nhiệm vụ, giải pháp về {subject}; phân công trách nhiệm "
    "và thời gian hoàn thành cho các cấp ủy, tổ chức đảng trực thuộc.",
    "{issuer} yêu cầu các cấp ủy, tổ chức đảng quán triệt, triển khai nghiêm túc việc {subject}; định kỳ "
    "báo cáo kết quả về cấp ủy cấp trên.",
    "Đánh giá kết quả {subject} thời gian qua; chỉ ra hạn chế, nguyên nhân và đề ra nhiệm vụ trọng tâm "
    "thời gian tới.",
]
BODY_PARAGRAPHS = [
    "I. MỤC ĐÍCH, YÊU CẦU\n1. Quán triệt sâu sắc, tạo chuyển biến rõ nét về nhận thức và hành động của "
    "cán bộ, đảng viên; gắn việc thực hiện với nhiệm vụ chính trị của địa phương, đơn vị.",
    "2. Xác định rõ nội dung, tiến độ, trách nhiệm của từng tổ chức, cá nhân; bảo đảm thiết thực, hiệu quả, "
    "tránh hình thức.",
    "II. NHIỆM VỤ, GIẢI PHÁP\n1. Các chi bộ đưa nội dung vào sinh hoạt thường kỳ; mỗi đảng viên đăng ký việc "
    "làm cụ thể và tự kiểm điểm cuối năm.",
    "2. Tăng cường kiểm tra, giám sát việc thực hiện; kịp thời biểu dương điển hình tiên tiến, chấn chỉnh "
    "những nơi làm chưa tốt.",
    "3. Phát huy vai trò của Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội trong tuyên truyền, "
    "vận động nhân dân cùng thực hiện.",
    "III. TỔ CHỨC THỰC HIỆN\nVăn phòng cấp ủy theo dõi, tổng hợp; các tổ chức đảng trực thuộc báo cáo "
    "kết quả trước ngày 15 của tháng cuối quý.",
    "Trong quá trình thực hiện, nếu có vướng mắc, các cấp ủy, tổ chức đảng kịp thời phản ánh về cơ quan "
    "thường trực để tổng hợp, báo cáo.",
]
REGULAR_AGENDA = [
    "Kiểm điểm việc thực hiện nhiệm vụ tháng {prev}, triển khai nhiệm vụ tháng {month}",
    "Quán triệt văn bản mới của cấp ủy cấp trên",
    "Thông tin thời sự, tình hình địa phương, đơn vị",
    "Ý kiến của đảng viên; công tác phát triển đảng viên",
]
THEMATIC = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh: chuyên đề năm",
    "Nâng cao chất lượng sinh hoạt chi bộ theo Hướng dẫn 12-HD/BTCTW",
    "Thực hiện Quy định 144-QĐ/TW về chuẩn mực đạo đức cách mạng của cán bộ, đảng viên",
    "Chuyển đổi số trong công tác đảng và quản lý đảng viên",
    "Phát huy vai trò nêu gương của đảng viên nơi cư trú",
]
THEMATIC_AGENDA = ["Báo cáo chuyên đề", "Thảo luận, liên hệ thực tiễn đơn vị"]
EXCUSES = [
    "Đi công tác theo phân công của cơ quan", "Ốm, điều trị tại bệnh viện", "Gia đình có việc hiếu",
    "Đi học lớp bồi dưỡng tập trung", "Gia đình có việc hỷ", "Đi làm ăn xa", "Trực ca tại đơn vị",
]
COMMENTS = [
    "Đề nghị bổ sung chỉ tiêu về tỷ lệ đảng viên trẻ được kết nạp trong nhiệm kỳ.",
    "Phần đánh giá hạn chế cần nêu cụ thể hơn nguyên nhân chủ quan.",
    "Nhất trí với dự thảo; đề nghị làm rõ trách nhiệm của người đứng đầu.",
    "Đề nghị rút gọn phần mục tiêu, tập trung vào các khâu đột phá.",
    "Cần bổ sung giải pháp về chuyển đổi số trong sinh hoạt chi bộ.",
    "Đề nghị cân nhắc lộ trình thực hiện cho phù hợp với các xã miền núi.",
    "Chỉ tiêu thu nhập bình quân đầu người nên điều chỉnh sát thực tế hơn.",
]
