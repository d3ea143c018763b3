"""The 37 participating regions as shipped with the project (data/regions.csv)."""

import csv
from dataclasses import dataclass
from pathlib import Path

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions.csv"


@dataclass(frozen=True)
class RegionRow:
    code: str
    short_name_zh: str
    name_en: str
    kind: str
    region_group: str


def read_regions(path: Path = REGIONS_CSV) -> list[RegionRow]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [RegionRow(**row) for row in csv.DictReader(fh)]
