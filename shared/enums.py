"""Enumerations that travel on the wire; values are stable API strings."""

from enum import StrEnum


class OrgKind(StrEnum):
    province = "province"  # Đảng bộ tỉnh / thành phố
    district = "district"  # Đảng bộ huyện / quận / thị xã
    block = "block"  # Đảng bộ khối
    grassroots = "grassroots"  # Đảng bộ cơ sở
    cell = "cell"  # Chi bộ

    @property
    def is_cell(self) -> bool:
        return self is OrgKind.cell


ORG_KIND_LABELS: dict[OrgKind, str] = {
    OrgKind.province: "Đảng bộ tỉnh",
    OrgKind.district: "Đảng bộ huyện",
    OrgKind.block: "Đảng bộ khối",
    OrgKind.grassroots: "Đảng bộ cơ sở",
    OrgKind.cell: "Chi bộ",
}


class MemberKind(StrEnum):
    official = "official"  # đảng viên chính thức
    probationary = "probationary"  # đảng viên dự bị
    exempt = "exempt"  # miễn sinh hoạt


MEMBER_KIND_LABELS: dict[MemberKind, str] = {
    MemberKind.official: "Chính thức",
    MemberKind.probationary: "Dự bị",
    MemberKind.exempt: "Miễn sinh hoạt",
}


class Role(StrEnum):
    member = "member"  # implicit for everyone with a membership; never stored
    secretary = "secretary"  # bí thư chi bộ
    deputy_secretary = "deputy_secretary"  # phó bí thư
    cell_committee = "cell_committee"  # chi ủy viên
    staff = "staff"  # cán bộ ban tổ chức / văn phòng cấp ủy, acts on a subtree
    admin = "admin"  # quản trị hệ thống

    @property
    def is_cell_role(self) -> bool:
        return self in CELL_ROLES


CELL_ROLES = frozenset({Role.secretary, Role.deputy_secretary, Role.cell_committee})

ROLE_LABELS: dict[Role, str] = {
    Role.member: "Đảng viên",
    Role.secretary: "Bí thư chi bộ",
    Role.deputy_secretary: "Phó bí thư chi bộ",
    Role.cell_committee: "Chi ủy viên",
    Role.staff: "Cán bộ cấp ủy",
    Role.admin: "Quản trị hệ thống",
}
