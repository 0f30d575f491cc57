"""Phrases the generator builds the member's year from: commitments, a study check, bài thu hoạch, reviews."""

# (category, item text) of a yearly commitment; a member picks a few.
COMMITMENT_ITEMS = [
    ("study_follow", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về tính trung thực, "
                     "trách nhiệm; gương mẫu trong công việc và sinh hoạt"),
    ("study_follow", "Thực hành tiết kiệm, chống lãng phí trong công việc và trong gia đình"),
    ("study_follow", "Giữ gìn đạo đức, lối sống; không vi phạm những điều đảng viên không được làm"),
    ("volunteer", "Tham gia vệ sinh môi trường khu dân cư mỗi tháng một lần"),
    ("volunteer", "Vận động gia đình và bà con tham gia hiến đất làm đường giao thông nông thôn"),
    ("volunteer", "Giúp đỡ một hộ nghèo, hộ cận nghèo trong thôn phát triển kinh tế"),
    ("volunteer", "Tham gia hiến máu tình nguyện và vận động đoàn viên thanh niên cùng tham gia"),
    ("duty", "Hoàn thành tốt nhiệm vụ chuyên môn được giao, không để xảy ra sai sót"),
    ("duty", "Ứng dụng công nghệ thông tin, chuyển đổi số trong giải quyết công việc"),
    ("duty", "Chủ động đề xuất sáng kiến cải tiến cách làm, nâng cao hiệu quả công việc"),
    ("residence", "Gương mẫu thực hiện nghĩa vụ công dân nơi cư trú, tham gia sinh hoạt tổ dân phố"),
    ("residence", "Giữ mối liên hệ với chi ủy, cấp ủy nơi cư trú; tham gia giữ gìn an ninh trật tự"),
    ("other", "Đóng đảng phí đầy đủ, đúng hạn; dự đủ các buổi sinh hoạt chi bộ"),
    ("other", "Sử dụng Sổ tay đảng viên điện tử để đọc văn bản, tài liệu sinh hoạt chi bộ"),
]

RESULTS = [
    "Đã thực hiện đầy đủ.",
    "Đã thực hiện, kết quả tốt.",
    "Thực hiện được phần lớn; còn một số việc chưa làm được do điều kiện công tác.",
    "Đã thực hiện thường xuyên trong năm.",
]

REMARKS = [
    "Đồng chí thực hiện tốt cam kết.",
    "Chi bộ ghi nhận kết quả; đề nghị tiếp tục phát huy.",
    "Cần cụ thể hơn kết quả thực hiện.",
]

RETURN_COMMENTS = [
    "Đề nghị đồng chí ghi cụ thể việc làm, thời gian thực hiện.",
    "Bổ sung nội dung cam kết gắn với nhiệm vụ chuyên môn.",
]

QUESTIONS = [
    "Nghị quyết xác định khâu đột phá nào?",
    "Mục tiêu tổng quát đến năm 2030 của Nghị quyết là gì?",
    "Nghị quyết đề ra bao nhiêu nhóm nhiệm vụ, giải pháp?",
    "Chủ thể quan trọng nhất trong thực hiện Nghị quyết là ai?",
    "Trách nhiệm của chi bộ trong việc quán triệt Nghị quyết là gì?",
    "Nghị quyết được ban hành tại hội nghị nào?",
    "Đảng viên cần làm gì để cụ thể hóa Nghị quyết ở nơi công tác?",
    "Nghị quyết nhấn mạnh vai trò của yếu tố nào trong phát triển?",
    "Thời hạn sơ kết việc thực hiện Nghị quyết là khi nào?",
    "Quan điểm chỉ đạo đầu tiên của Nghị quyết là gì?",
]

OPTIONS = ["Phương án A", "Phương án B", "Phương án C", "Phương án D"]

ESSAY_SENTENCES = [
    "Qua học tập, quán triệt Nghị quyết, bản thân tôi nhận thức sâu sắc hơn về tầm quan trọng của nhiệm vụ.",
    "Nghị quyết đã chỉ rõ những hạn chế, yếu kém và nguyên nhân, đồng thời đề ra các giải pháp cụ thể.",
    "Là đảng viên, tôi xác định phải gương mẫu đi đầu trong việc thực hiện Nghị quyết tại nơi công tác.",
    "Tôi sẽ tuyên truyền, vận động gia đình và nhân dân nơi cư trú cùng thực hiện.",
    "Bản thân sẽ xây dựng kế hoạch cụ thể, gắn với bản đăng ký học tập và làm theo của năm.",
    "Tôi đề xuất chi bộ đưa nội dung Nghị quyết vào sinh hoạt chuyên đề hằng quý.",
    "Trong công việc chuyên môn, tôi sẽ chủ động ứng dụng công nghệ, đổi mới cách làm.",
]

ESSAY_REMARKS = [
    "Bài viết nghiêm túc, có liên hệ bản thân.",
    "Cần liên hệ cụ thể hơn với nhiệm vụ được giao.",
]

STRENGTHS = [
    "Có lập trường tư tưởng chính trị vững vàng; chấp hành tốt chủ trương của Đảng, pháp luật của Nhà nước.",
    "Giữ gìn phẩm chất đạo đức, lối sống; đoàn kết, gần gũi quần chúng.",
    "Hoàn thành các nhiệm vụ được giao; tham gia đầy đủ sinh hoạt chi bộ.",
]

SHORTCOMINGS = [
    "Có lúc chưa mạnh dạn phát biểu ý kiến trong sinh hoạt chi bộ.",
    "Việc tự học tập, nghiên cứu nghị quyết còn chưa thường xuyên.",
    "Một số nội dung cam kết đầu năm chưa hoàn thành đúng thời gian.",
]

CAUSES = ["Do khối lượng công việc chuyên môn nhiều.", "Do bản thân chưa sắp xếp thời gian hợp lý."]

DIRECTIONS = [
    "Tiếp tục học tập nâng cao trình độ, phát huy ưu điểm, khắc phục hạn chế.",
    "Gương mẫu thực hiện nhiệm vụ, cam kết năm tới; tích cực tham gia sinh hoạt chi bộ.",
]

EXEMPT_REASONS = ["Miễn sinh hoạt đảng do tuổi cao, sức yếu", "Miễn công tác, sinh hoạt đảng theo quyết định"]
