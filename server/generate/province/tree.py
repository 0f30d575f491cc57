"""The organisation tree of the province: blocks, districts, communes, agencies, forces, their cells."""

import random
from collections.abc import Iterable, Sequence

import server.models  # noqa: F401  (every table in the metadata, for --force)
from server.generate import names
from server.generate.province.base import (
    MEETING_DAYS,
    MEETING_TIMES,
    PROVINCE,
    PROVINCE_CODE,
    GenerateError,
    Org,
    split,
)
from shared.enums import OrgKind


class Tree:
    """Adds organisations depth-first: a node's whole subtree before its next sibling."""

    def __init__(self, rng: random.Random, first_id: int):
        self.rng = rng
        self.next_id = first_id
        self.orgs: list[Org] = []
        self.used_places: set[str] = set()

    def add(self, parent: Org | None, name: str, kind: OrgKind, *, style: str = "", title: str = "",
            issuer: str = "", staff: int = 0) -> Org:
        """One organisation under `parent`, with a code unique among its siblings."""
        if parent is None:
            code = PROVINCE_CODE
        else:
            letter = {OrgKind.district: "H", OrgKind.block: "K", OrgKind.grassroots: "D"}.get(kind, "C")
            parent.counters[letter] = n = parent.counters.get(letter, 0) + 1
            code = f"{parent.code}-{letter}{n:02d}"
        org = Org(id=self.next_id, name=name, kind=kind, code=code, parent=parent, style=style, title=title,
                  depth=parent.depth + 1 if parent else 0, issuer=issuer, staff=staff)
        org.path = (parent.path if parent else ()) + (org.id,)
        if kind is OrgKind.cell:
            org.meeting_day = self.rng.choice(MEETING_DAYS)
            org.meeting_time = self.rng.choice(MEETING_TIMES[style])
        self.next_id += 1
        self.orgs.append(org)
        return org

    def cells(self, parent: Org, labels: Iterable[str], style: str) -> None:
        """Cells named "Chi bộ <label>" under `parent`."""
        for label in labels:
            self.add(parent, f"Chi bộ {label}", OrgKind.cell, style=style)

    def place(self, avoid: str = "") -> str:
        """A two-syllable place name not used yet in this province."""
        for _ in range(1000):
            name = f"{self.rng.choice(names.PLACE_FIRST)} {self.rng.choice(names.PLACE_SECOND)}"
            first, second = name.split()
            if first != second and name not in self.used_places and name != avoid:
                self.used_places.add(name)
                return name
        raise GenerateError("Không đủ tên địa danh cho số tổ chức yêu cầu.")


def labels(units: Sequence[str], count: int) -> list[str]:
    """`count` unit names, numbered once the list runs out ("Phòng Nghiệp vụ 2")."""
    return [units[k] if k < len(units) else f"{units[k % len(units)]} {k // len(units) + 1}"
            for k in range(count)]


def build_tree(rng: random.Random, first_id: int, cells: int) -> list[Org]:
    """The province with its own agencies, then ~20 districts of communes, exactly `cells` chi bộ."""
    tree = Tree(rng, first_id)
    province = tree.add(None, f"Đảng bộ tỉnh {PROVINCE}", OrgKind.province, title="Tỉnh ủy", issuer="TU",
                        staff=5)
    own = max(1, round(cells * 0.08))
    n_districts = min(max(2, min(20, round(cells / 480))), (cells - own) // 2)
    _province_units(tree, province, own)
    kinds = ["thành phố"] + ["thị xã" if i in (4, 11) else "huyện" for i in range(1, n_districts)]
    for kind, budget in zip(kinds, split(rng, cells - own, [1.0] * n_districts, 2), strict=True):
        _district(tree, province, kind, tree.place(), budget)
    _assign_offices(tree.orgs)
    return tree.orgs


def _province_units(tree: Tree, province: Org, budget: int) -> None:
    """The province's own agencies, enterprises, police and army (the first holds the province's staff)."""
    builders = [_agencies_block, _enterprise_block, _police, _military]
    parts = split(tree.rng, budget, [0.5, 0.15, 0.2, 0.15])
    for build, part in zip(builders, parts, strict=False):
        build(tree, province, part)


def _agencies_block(tree: Tree, province: Org, budget: int) -> None:
    """The province's departments and the party's own boards, the Organisation Board first."""
    block = tree.add(province, "Đảng bộ Khối các cơ quan tỉnh", OrgKind.block,
                     title="Đảng ủy Khối các cơ quan tỉnh", issuer="ĐUK", staff=2)
    agencies = names.PROVINCE_AGENCIES[: max(1, min(len(names.PROVINCE_AGENCIES), budget // 6))]
    for agency, part in zip(agencies, split(tree.rng, budget, [1.0] * len(agencies)), strict=False):
        units = (names.BTC_UNITS if "Ban Tổ chức" in agency else names.HOSPITAL_UNITS if "Bệnh viện" in agency
                 else names.SCHOOL_UNITS if "Trường" in agency else names.AGENCY_UNITS)
        _agency(tree, block, agency, units, part, "health" if "Bệnh viện" in agency else "office")


def _enterprise_block(tree: Tree, province: Org, budget: int) -> None:
    """State companies of the province, each a party committee over its workshops and offices."""
    block = tree.add(province, "Đảng bộ Khối Doanh nghiệp tỉnh", OrgKind.block,
                     title="Đảng ủy Khối Doanh nghiệp tỉnh", issuer="ĐUK", staff=2)
    firms = names.ENTERPRISES[: max(1, min(len(names.ENTERPRISES), budget // 5))]
    for firm, part in zip(firms, split(tree.rng, budget, [1.0] * len(firms)), strict=False):
        _agency(tree, block, firm, names.ENTERPRISE_UNITS, part, "enterprise")


def _police(tree: Tree, province: Org, budget: int) -> None:
    """The provincial police: departments, then teams."""
    _force(tree, province, "Công an tỉnh", names.POLICE_DEPARTMENTS, [f"Đội {k}" for k in range(1, 9)],
           budget, "police")


def _military(tree: Tree, province: Org, budget: int) -> None:
    """The provincial military command: departments, then boards and companies."""
    units = ["Ban Tác chiến", "Ban Quân lực", "Ban Tuyên huấn", "Ban Cán bộ", "Ban Quân nhu", "Đại đội 1",
             "Đại đội 2", "Đại đội 3"]
    _force(tree, province, "Quân sự tỉnh", names.MILITARY_DEPARTMENTS, units, budget, "military")


def _force(tree: Tree, parent: Org, name: str, departments: list[str], units: list[str], budget: int,
           style: str) -> None:
    """Police or army: a party committee over departments, which have their own committee once large
    enough (the fifth level of the tree)."""
    if budget == 1:
        tree.add(parent, f"Chi bộ {name}", OrgKind.cell, style=style)
        return
    top = tree.add(parent, f"Đảng bộ {name}", OrgKind.grassroots, style="agency", title=f"Đảng ủy {name}",
                   issuer="ĐU", staff=1)
    depts = departments[: max(1, min(len(departments), budget // 4))]
    for dept, part in zip(depts, split(tree.rng, budget, [1.0] * len(depts)), strict=False):
        _agency(tree, top, dept, units, part, style, staff=0, area=True)


def _agency(tree: Tree, parent: Org, name: str, units: Sequence[str], budget: int, style: str, *,
            staff: int = 1, area: bool = False) -> None:
    """An agency: a party committee over its units' cells, or a single cell when it is small."""
    if budget == 1:
        tree.add(parent, f"Chi bộ {name}", OrgKind.cell, style=style)
        return
    org = tree.add(parent, f"Đảng bộ {name}", OrgKind.grassroots, style="area" if area else "agency",
                   title=f"Đảng ủy {name}", issuer="ĐU", staff=staff)
    tree.cells(org, labels(units, budget), style)


def _district(tree: Tree, province: Org, kind: str, name: str, budget: int) -> None:
    """A district: its office cell, agencies and high schools once large, then communes."""
    rng = tree.rng
    committee = {"huyện": "Huyện ủy", "thành phố": "Thành ủy", "thị xã": "Thị ủy"}[kind]
    district = tree.add(province, f"Đảng bộ {kind} {name}", OrgKind.district, title=f"{committee} {name}",
                        issuer="HU" if kind == "huyện" else "TU", staff=3)
    tree.add(district, f"Chi bộ Cơ quan {committee} {name}", OrgKind.cell, style="office")
    used = 1
    if budget >= 40:
        agencies = names.DISTRICT_AGENCIES[: min(len(names.DISTRICT_AGENCIES), 2 + budget // 300)]
        share = max(2 * len(agencies), round(budget * 0.08))
        units = {"Quân sự": names.DISTRICT_MILITARY_UNITS, "Công an": names.DISTRICT_POLICE_UNITS,
                 "Cơ quan Mặt trận và các đoàn thể": names.MASS_ORGANISATIONS}
        styles = {"Quân sự": "military", "Công an": "police"}
        for agency, part in zip(agencies, split(rng, share, [1.0] * len(agencies), 2), strict=False):
            _agency(tree, district, f"{agency} {kind} {name}", units.get(agency, names.DISTRICT_DEPARTMENTS),
                    part, styles.get(agency, "office"))
        used += share
    if budget - used >= 20:
        schools = min(4, 1 + (budget - used) // 200)
        tree.cells(district, [f"Trường THPT {name}" + (f" {k + 1}" if schools > 1 else "")
                              for k in range(schools)], "school")
        used += schools
        if budget - used >= 60:
            tree.add(district, f"Chi bộ Trung tâm Y tế {kind} {name}", OrgKind.cell, style="health")
            used += 1
    rest = budget - used
    if rest <= 0:
        return
    n_communes = max(1, round(rest / 22))
    village = rng.choice(["thôn", "thôn", "xóm", "bản"]) if kind == "huyện" else "thôn"
    for i, part in enumerate(split(rng, rest, [1.0] * n_communes)):
        if kind == "huyện":
            ctype = "thị trấn" if i == 0 else "xã"
        else:
            ctype = "phường" if rng.random() < (0.7 if kind == "thành phố" else 0.5) else "xã"
        _commune(tree, district, ctype, tree.place(avoid=name), part, village)


def _commune(tree: Tree, district: Org, ctype: str, name: str, budget: int, village: str) -> None:
    """A commune: its office cell (the commune's staff), schools and services, then residential cells,
    grouped under "Đảng bộ bộ phận" in some large communes."""
    rng = tree.rng
    commune = tree.add(district, f"Đảng bộ {ctype} {name}", OrgKind.grassroots, style="commune",
                       title=f"Đảng ủy {ctype} {name}", issuer="ĐU", staff=2)
    tree.add(commune, f"Chi bộ Cơ quan {ctype} {name}", OrgKind.cell, style="commune")
    services = names.COMMUNE_SERVICES[: max(0, min(len(names.COMMUNE_SERVICES), (budget - 1) // 4))]
    for label, style in services:
        tree.add(commune, "Chi bộ " + label.format(n=name, t=ctype), OrgKind.cell, style=style)
    homes = _residential(rng, ctype, village, budget - 1 - len(services))
    style = "village" if ctype == "xã" else "urban"
    if len(homes) >= 16 and rng.random() < 0.2:  # the fifth level: "Đảng bộ bộ phận" between them
        groups = min(4, len(homes) // 8)
        start = 0
        for k, part in enumerate(split(rng, len(homes), [1.0] * groups), start=1):
            area = tree.add(commune, f"Đảng bộ bộ phận khu vực {k}", OrgKind.grassroots, style="area",
                            title=f"Đảng ủy bộ phận khu vực {k}", issuer="ĐU")
            tree.cells(area, homes[start:start + part], style)
            start += part
    else:
        tree.cells(commune, homes, style)


def _residential(rng: random.Random, ctype: str, village: str, count: int) -> list[str]:
    """Names of a commune's villages or wards: "thôn 3", "khối phố 5", "bản Huồi Cọ"."""
    if count <= 0:
        return []
    if ctype == "phường":
        word = rng.choice(["khối phố", "tổ dân phố"])
    elif ctype == "thị trấn":
        word = "khối"
    elif village == "bản":
        pairs = [f"bản {a} {b}" for a in names.BAN_SYLLABLES for b in names.BAN_SYLLABLES if a != b]
        if count <= len(pairs):
            return rng.sample(pairs, count)
        word = "bản"
    else:
        word = village
    return [f"{word} {k}" for k in range(1, count + 1)]


def _assign_offices(orgs: list[Org]) -> None:
    """Each committee's staff sit in the first cell of its subtree: its office cell by construction."""
    for org in orgs:
        if org.kind is OrgKind.cell:
            node = org.parent
            while node is not None and node.office is None:
                node.office = org
                node = node.parent
