"""Vietnamese names for the generator: people, places, agencies and the jobs members hold."""

# Family names with their rough share of the population (per thousand): Nguyễn alone is over a third,
# and the tail holds the Tày, Thái and Mường families of the mountain districts.
FAMILY_NAMES: list[tuple[str, int]] = [
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 50), ("Phan", 45), ("Vũ", 39),
    ("Võ", 30), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13), ("Ngô", 13), ("Dương", 10),
    ("Đinh", 10), ("Đào", 8), ("Đoàn", 7), ("Cao", 6), ("Lương", 6), ("Mai", 5), ("Trịnh", 5),
    ("Thái", 5), ("Hà", 5), ("Lưu", 4), ("Phùng", 4), ("Huỳnh", 4), ("Lý", 4), ("Tạ", 3), ("Chu", 3),
    ("Tô", 3), ("Lâm", 3), ("Vương", 3), ("Lại", 3), ("Nông", 3), ("Kiều", 2), ("Quách", 2), ("Thân", 2),
    ("Tăng", 2), ("Nghiêm", 1), ("Khổng", 1), ("Từ", 1), ("Hứa", 1), ("La", 1), ("Lò", 2), ("Vi", 2),
    ("Lữ", 1), ("Sầm", 1), ("Lang", 1), ("Ngân", 1), ("Quang", 1), ("Cầm", 1), ("Hồ Sỹ", 1),
]

# Middle names: "Văn" and "Thị" dominate, the rest are common modern choices.
MALE_MIDDLE: list[tuple[str, int]] = [
    ("Văn", 400), ("Đức", 60), ("Hữu", 50), ("Quang", 45), ("Minh", 45), ("Công", 40), ("Đình", 40),
    ("Xuân", 30), ("Ngọc", 30), ("Thanh", 30), ("Trọng", 25), ("Mạnh", 20), ("Quốc", 25), ("Tiến", 15),
    ("Anh", 15), ("Tuấn", 10), ("Hoàng", 15), ("Duy", 15), ("Bá", 15), ("Sỹ", 10), ("Khắc", 10),
    ("Thế", 15), ("Gia", 10), ("Cảnh", 8), ("Huy", 10), ("Trung", 10), ("Kim", 5), ("Viết", 8),
    ("Phúc", 6), ("Nhật", 6),
]
FEMALE_MIDDLE: list[tuple[str, int]] = [
    ("Thị", 450), ("Thị Thu", 40), ("Thị Thanh", 35), ("Thị Hồng", 30), ("Thị Kim", 20), ("Thị Minh", 15),
    ("Thu", 40), ("Thanh", 35), ("Ngọc", 35), ("Minh", 25), ("Hồng", 25), ("Phương", 20), ("Kim", 15),
    ("Mai", 10), ("Thùy", 20), ("Bích", 10), ("Diệu", 8), ("Hải", 10), ("Khánh", 10), ("Quỳnh", 10),
    ("Hoài", 8), ("Mỹ", 8), ("Tuyết", 5), ("Lan", 5), ("Bảo", 5),
]

MALE_GIVEN = [
    "An", "Bình", "Cường", "Chiến", "Dũng", "Duy", "Đạt", "Đức", "Giang", "Hải", "Hào", "Hiếu", "Hiển", "Hòa",
    "Hoàng", "Hùng", "Huy", "Hưng", "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Linh", "Long", "Lộc", "Lợi",
    "Mạnh", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phú", "Phúc", "Phương", "Quang", "Quân", "Quý", "Sơn",
    "Tài", "Tâm", "Tân", "Thái", "Thắng", "Thành", "Thịnh", "Thông", "Thuận", "Tiến", "Toàn", "Trí", "Trung",
    "Trường", "Tú", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Hậu", "Hiệp", "Công", "Đông", "Khải", "Lực",
    "Nguyên", "Sang", "Thiện", "Thọ", "Tuyên", "Vương", "Kiệt", "Bảo", "Cảnh", "Chung", "Định", "Hạnh",
    "Hoan", "Kỳ", "Lập", "Luân", "Ninh", "Quyết", "Sáu", "Tạo", "Thạch", "Thanh", "Tình", "Tuệ", "Xuân",
]
FEMALE_GIVEN = [
    "Anh", "Ánh", "Châu", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hòa", "Hồng",
    "Huệ", "Hương", "Hường", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc",
    "Nhung", "Oanh", "Phượng", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thanh", "Thơ", "Thu", "Thủy",
    "Thúy", "Trang", "Trinh", "Tuyết", "Vân", "Yến", "Xuân", "Lệ", "Diệp", "Lý", "Hậu", "Nhàn", "Nhi",
    "Uyên", "Vy", "Sen", "Hoài", "Bích", "Thắm", "Tình", "Lành", "Lựu", "Nguyệt", "Phấn", "Sương", "Thoa",
]

# Place names are two Sino-Vietnamese syllables ("Yên Thành", "Diễn Châu", "Quỳnh Lưu").
PLACE_FIRST = [
    "An", "Bình", "Cẩm", "Diễn", "Đông", "Hưng", "Hòa", "Kim", "Lạc", "Long", "Minh", "Nam", "Nghĩa", "Phú",
    "Quế", "Quỳnh", "Sơn", "Tân", "Thanh", "Thạch", "Thọ", "Tiên", "Trung", "Vĩnh", "Xuân", "Yên", "Hương",
    "Gia", "Đức", "Hải", "Hồng", "Kỳ", "Lâm", "Mỹ", "Ngọc", "Phúc", "Quang", "Tam", "Thái", "Thiệu", "Tường",
    "Văn", "Việt", "Vân", "Châu", "Đại", "Hậu", "Khánh", "Liên", "Nhân", "Quảng", "Thuận", "Tĩnh", "Vạn",
]
PLACE_SECOND = [
    "An", "Bình", "Châu", "Giang", "Hà", "Hải", "Hòa", "Hưng", "Khánh", "Lạc", "Lâm", "Lộc", "Long", "Lợi",
    "Mỹ", "Nam", "Ninh", "Phong", "Phú", "Phúc", "Quang", "Sơn", "Tân", "Thành", "Thịnh", "Thủy", "Tiến",
    "Trung", "Trường", "Văn", "Xuân", "Yên", "Đông", "Đồng", "Điền", "Liên", "Hợp", "Hồng", "Thắng",
    "Thuận", "Lưu", "Kỳ", "Cường", "Đức", "Minh", "Nghĩa", "Tường", "Vinh", "Hiệp", "Quỳnh",
]

# Province-level agencies under "Đảng bộ Khối các cơ quan tỉnh"; the first holds the province's staff.
PROVINCE_AGENCIES = [
    "Ban Tổ chức Tỉnh ủy", "Văn phòng Tỉnh ủy", "Ủy ban Kiểm tra Tỉnh ủy",
    "Ban Tuyên giáo và Dân vận Tỉnh ủy",
    "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Tài chính", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng",
    "Sở Công Thương", "Sở Nội vụ", "Sở Tư pháp", "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Văn phòng Ủy ban nhân dân tỉnh", "Thanh tra tỉnh", "Bệnh viện Đa khoa tỉnh", "Trường Chính trị tỉnh",
    "Kho bạc Nhà nước tỉnh", "Thuế tỉnh", "Báo và Phát thanh, Truyền hình tỉnh", "Trường Đại học tỉnh",
]
BTC_UNITS = [
    "Phòng Tổ chức đảng, đảng viên", "Phòng Tổ chức cán bộ", "Phòng Bảo vệ chính trị nội bộ",
    "Văn phòng Ban", "Phòng Tổng hợp và Chính sách cán bộ", "Phòng Địa phương",
]
AGENCY_UNITS = [
    "Văn phòng", "Phòng Tổ chức cán bộ", "Phòng Kế hoạch - Tài chính", "Phòng Tổng hợp", "Thanh tra",
    "Phòng Pháp chế", "Phòng Nghiệp vụ", "Phòng Quản lý chuyên ngành", "Phòng Hành chính - Quản trị",
    "Trung tâm Dịch vụ công", "Phòng Chuyển đổi số", "Phòng Kiểm tra",
]
HOSPITAL_UNITS = [
    "Khoa Nội", "Khoa Ngoại", "Khoa Sản", "Khoa Nhi", "Khoa Hồi sức cấp cứu", "Khoa Xét nghiệm",
    "Khoa Chẩn đoán hình ảnh", "Khoa Dược", "Khoa Truyền nhiễm", "Phòng Kế hoạch tổng hợp",
    "Phòng Điều dưỡng",
]
SCHOOL_UNITS = ["Khoa Lý luận chính trị", "Khoa Xây dựng Đảng", "Khoa Nhà nước và Pháp luật",
                "Phòng Đào tạo", "Phòng Tổ chức - Hành chính", "Khoa Kinh tế", "Khoa Sư phạm"]
ENTERPRISES = [
    "Công ty Điện lực tỉnh", "Công ty Cổ phần Cấp nước", "Chi nhánh Ngân hàng Nông nghiệp và Phát triển "
    "Nông thôn tỉnh", "Công ty TNHH MTV Thủy lợi", "Công ty Cổ phần Môi trường và Công trình đô thị",
    "Viễn thông tỉnh", "Bưu điện tỉnh", "Công ty Cổ phần Xi măng", "Công ty Cổ phần Mía đường",
    "Công ty TNHH MTV Lâm nghiệp",
]
ENTERPRISE_UNITS = ["Phòng Kỹ thuật", "Phòng Kinh doanh", "Phòng Tổ chức - Hành chính", "Phân xưởng Sản xuất",
                    "Phòng Tài chính - Kế toán", "Đội Quản lý vận hành", "Xí nghiệp"]
POLICE_DEPARTMENTS = [
    "Phòng Tham mưu", "Phòng Cảnh sát giao thông", "Phòng An ninh chính trị nội bộ", "Phòng Cảnh sát hình sự",
    "Phòng Cảnh sát quản lý hành chính về trật tự xã hội", "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, "
    "cứu hộ", "Phòng Xây dựng phong trào bảo vệ an ninh Tổ quốc", "Trại tạm giam",
]
MILITARY_DEPARTMENTS = ["Phòng Tham mưu", "Phòng Chính trị", "Phòng Hậu cần - Kỹ thuật",
                        "Trung đoàn Bộ binh", "Tiểu đoàn Huấn luyện"]
DISTRICT_AGENCIES = ["Cơ quan Chính quyền", "Quân sự", "Công an", "Cơ quan Mặt trận và các đoàn thể"]
DISTRICT_DEPARTMENTS = [
    "Phòng Tài chính - Kế hoạch", "Phòng Nội vụ", "Phòng Tư pháp", "Phòng Kinh tế",
    "Phòng Văn hóa - Thông tin",
    "Phòng Giáo dục và Đào tạo", "Phòng Y tế", "Thanh tra huyện", "Văn phòng HĐND và UBND",
    "Phòng Tài nguyên và Môi trường", "Ban Quản lý dự án", "Trung tâm Văn hóa, Thể thao",
]
DISTRICT_POLICE_UNITS = ["Đội Cảnh sát giao thông", "Đội Cảnh sát hình sự", "Đội An ninh", "Đội Tham mưu",
                         "Đội Cảnh sát quản lý hành chính", "Đội Cảnh sát thi hành án hình sự"]
DISTRICT_MILITARY_UNITS = ["Ban Chỉ huy", "Ban Tham mưu", "Ban Chính trị", "Ban Hậu cần - Kỹ thuật"]
MASS_ORGANISATIONS = ["Ủy ban Mặt trận Tổ quốc", "Hội Nông dân", "Hội Liên hiệp Phụ nữ", "Huyện đoàn",
                      "Hội Cựu chiến binh", "Liên đoàn Lao động"]

# A commune's cells besides its office and villages, as many as its size allows, in this order.
COMMUNE_SERVICES = [("Trường Mầm non {n}", "school"), ("Trường Tiểu học {n}", "school"),
                    ("Trường THCS {n}", "school"), ("Trạm Y tế {t} {n}", "health"),
                    ("Quân sự {t} {n}", "military"), ("Công an {t} {n}", "police")]
# Villages of the mountain districts are named, not numbered ("bản Huồi Cọ").
BAN_SYLLABLES = ["Na", "Pù", "Huồi", "Xốp", "Tà", "Lằn", "Poòng", "Cắm", "Mường", "Khe", "Piêng", "Hạt",
                 "Chăm", "Buộc", "Cọ", "Kẻ", "Nậm", "Luồng", "Phảy", "Tạt"]

# Jobs people in each kind of cell hold (the "position" column).
POSITIONS: dict[str, list[str]] = {
    "village": ["Nông dân", "Nông dân", "Nông dân", "Hưu trí", "Cựu chiến binh", "Giáo viên nghỉ hưu",
                "Kinh doanh", "Chi hội trưởng Phụ nữ", "Chi hội trưởng Nông dân", "Bí thư Chi đoàn",
                "Công an viên", "Y tế thôn", "Trưởng ban công tác Mặt trận", "Lao động tự do"],
    "urban": ["Hưu trí", "Hưu trí", "Kinh doanh", "Công chức", "Viên chức", "Cựu chiến binh",
              "Tổ trưởng tổ dân phố",
              "Chi hội trưởng Phụ nữ", "Bí thư Chi đoàn", "Giáo viên", "Công nhân", "Nhân viên văn phòng"],
    "office": ["Chuyên viên", "Chuyên viên", "Chuyên viên chính", "Phó Trưởng phòng", "Trưởng phòng",
               "Văn thư", "Kế toán", "Công chức"],
    "commune": ["Công chức Văn phòng - Thống kê", "Công chức Tư pháp - Hộ tịch", "Công chức Địa chính",
                "Công chức Tài chính - Kế toán", "Công chức Văn hóa - Xã hội", "Phó Chủ tịch UBND",
                "Chủ tịch Hội Nông dân", "Chủ tịch Hội Phụ nữ", "Bí thư Đoàn Thanh niên",
                "Văn phòng Đảng ủy"],
    "school": ["Giáo viên", "Giáo viên", "Giáo viên", "Tổ trưởng chuyên môn", "Phó Hiệu trưởng",
               "Hiệu trưởng",
               "Nhân viên kế toán", "Tổng phụ trách Đội"],
    "health": ["Bác sĩ", "Điều dưỡng", "Y sĩ", "Dược sĩ", "Nữ hộ sinh", "Kỹ thuật viên"],
    "police": ["Cán bộ", "Cán bộ", "Đội trưởng", "Phó Đội trưởng", "Điều tra viên", "Trinh sát"],
    "military": ["Sĩ quan", "Quân nhân chuyên nghiệp", "Trợ lý", "Chỉ huy trưởng", "Chính trị viên"],
    "enterprise": ["Kỹ sư", "Công nhân", "Công nhân", "Nhân viên kinh doanh", "Kế toán", "Tổ trưởng sản xuất",
                   "Phó Giám đốc", "Quản đốc"],
}
EXEMPT_POSITIONS = ["Hưu trí, tuổi cao", "Hưu trí, sức khỏe yếu", "Cựu chiến binh, tuổi cao"]
