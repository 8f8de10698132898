"""Synthetic administrative units: the 63 provinces (real codes), districts and communes.

Province codes and names are the real ones (before the 2025 mergers); populations (thousands,
2022, rounded) weight how many beneficiaries each province gets. District and commune codes
are allocated in province order, like the real lists, but are synthetic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

#: Code, name, population in thousands; one province a line.
_TABLE = """
01 Hà Nội 8436|02 Hà Giang 887|04 Cao Bằng 543|06 Bắc Kạn 325|08 Tuyên Quang 797
10 Lào Cai 772|11 Điện Biên 636|12 Lai Châu 478|14 Sơn La 1300|15 Yên Bái 838
17 Hòa Bình 875|19 Thái Nguyên 1335|20 Lạng Sơn 802|22 Quảng Ninh 1362|24 Bắc Giang 1922
25 Phú Thọ 1516|26 Vĩnh Phúc 1197|27 Bắc Ninh 1488|30 Hải Dương 1936|31 Hải Phòng 2088
33 Hưng Yên 1290|34 Thái Bình 1877|35 Hà Nam 878|36 Nam Định 1876|37 Ninh Bình 1010
38 Thanh Hóa 3722|40 Nghệ An 3419|42 Hà Tĩnh 1323|44 Quảng Bình 913|45 Quảng Trị 651
46 Thừa Thiên Huế 1160|48 Đà Nẵng 1220|49 Quảng Nam 1519|51 Quảng Ngãi 1245
52 Bình Định 1504|54 Phú Yên 877|56 Khánh Hòa 1246|58 Ninh Thuận 598|60 Bình Thuận 1248
62 Kon Tum 580|64 Gia Lai 1591|66 Đắk Lắk 1918|67 Đắk Nông 670|68 Lâm Đồng 1332
70 Bình Phước 1025|72 Tây Ninh 1188|74 Bình Dương 2763|75 Đồng Nai 3255
77 Bà Rịa - Vũng Tàu 1187|79 Hồ Chí Minh 9389|80 Long An 1734|82 Tiền Giang 1790
83 Bến Tre 1299|84 Trà Vinh 1019|86 Vĩnh Long 1029|87 Đồng Tháp 1600|89 An Giang 1905
91 Kiên Giang 1750|92 Cần Thơ 1252|93 Hậu Giang 730|94 Sóc Trăng 1199|95 Bạc Liêu 918
96 Cà Mau 1195
"""
#: (code, name, population in thousands) of the 63 provinces.
PROVINCES: tuple[tuple[str, str, int], ...] = tuple(
    (entry[:2], entry[3:].rsplit(" ", 1)[0], int(entry.rsplit(" ", 1)[1]))
    for entry in _TABLE.replace("\n", "|").strip("|").split("|")
)
assert len(PROVINCES) == 63
PROVINCE_NAMES = {code: name for code, name, _ in PROVINCES}

#: About 3.5 million beneficiaries over about 10,600 communes nationally.
NATIONAL_PEOPLE = 3_500_000
PEOPLE_PER_COMMUNE = 330
#: Populations smaller than the nation start with this province (Trà Vinh).
FIRST_PROVINCE = "84"
COMMUNES_PER_DISTRICT = 15


@dataclass(frozen=True, slots=True)
class Commune:
    """One commune and the block of person indexes registered there."""

    province_code: str
    district_code: str
    commune_code: str
    first_person: int
    people: int

    @property
    def post_office_code(self) -> str:
        """One post office (bưu điện huyện) serves every commune of a district."""
        return f"VNP-{self.district_code}"


@dataclass(frozen=True, slots=True)
class District:
    """A district and its communes: the unit the generator streams as one block."""

    index: int
    province_code: str
    district_code: str
    communes: tuple[Commune, ...]

    @property
    def people(self) -> int:
        return sum(c.people for c in self.communes)


def _communes_per_province(total: int) -> list[int]:
    """Largest-remainder split of ``total`` communes by province population."""
    weight = sum(p for _, _, p in PROVINCES)
    exact = [total * p / weight for _, _, p in PROVINCES]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


@lru_cache(maxsize=1)
def national_layout() -> tuple[tuple[str, int, int, int], ...]:
    """(province, first district number, first commune number, communes) at national scale.

    Codes are allocated in province code order, so a commune keeps its code at every scale.
    """
    layout, district_no, commune_no = [], 1, 1
    total = round(NATIONAL_PEOPLE / PEOPLE_PER_COMMUNE)
    for (province, _, _), count in zip(PROVINCES, _communes_per_province(total), strict=True):
        layout.append((province, district_no, commune_no, count))
        district_no += -(-count // COMMUNES_PER_DISTRICT)
        commune_no += count
    return tuple(layout)


def districts(people: int) -> Iterator[District]:
    """The districts holding ``people`` beneficiaries, about 330 per commune.

    Smaller populations fill whole provinces, starting with Trà Vinh (a province of about
    33,000 beneficiaries) and going on in code order; beyond national scale communes grow.
    """
    if people < 1:
        raise ValueError(f"the population must be at least 1 person, got {people}")
    layout = national_layout()
    wanted = min(sum(n for *_, n in layout), max(1, round(people / PEOPLE_PER_COMMUNE)))
    base, extra = divmod(people, wanted)
    start = next(i for i, entry in enumerate(layout) if entry[0] == FIRST_PROVINCE)
    taken = person = index = 0
    for province, district_no, commune_no, count in layout[start:] + layout[:start]:
        take = min(count, wanted - taken)
        for offset in range(0, take, COMMUNES_PER_DISTRICT):
            district_code = f"{district_no + offset // COMMUNES_PER_DISTRICT:03d}"
            members = []
            last = min(take, offset + COMMUNES_PER_DISTRICT)
            for number in range(commune_no + offset, commune_no + last):
                size = base + (1 if taken < extra else 0)
                members.append(Commune(province, district_code, f"{number:05d}", person, size))
                person, taken = person + size, taken + 1
            yield District(index, province, district_code, tuple(members))
            index += 1
        if taken == wanted:
            return
