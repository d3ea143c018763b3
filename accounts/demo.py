"""Demo people: a Ministry account, a coordinator per region, lecturers and residents."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from accounts.models import Role
from accounts.services import user_upsert
from config.progress import stage

DEMO_PASSWORD = "demo-learning-2027"  # noqa: S105 - published on purpose: demo accounts only
LECTURER_COUNT = 50
RESIDENT_COUNT = 20


@dataclass(frozen=True)
class DemoPeople:
    ministry: str
    coordinators: int
    lecturers: int
    residents: int


def seed_people(  # regions: code -> name, e.g. {"110000": "北京"}
    regions: Mapping[str, str], progress: Callable[[str], None] = lambda _msg: None
) -> DemoPeople:
    # One hash for every demo account: hashing ~100 passwords one by one takes ~40 s.
    password_hash = make_password(DEMO_PASSWORD)
    region_codes = list(regions)
    with stage(progress, "people", 1 + len(region_codes) + LECTURER_COUNT + RESIDENT_COUNT) as bar:
        _seed_people(regions, password_hash, bar.advance)
        bar.summary = (
            f"ministry, {len(region_codes)} coordinators, {LECTURER_COUNT} lecturers, "
            f"{RESIDENT_COUNT} residents"
        )
    return DemoPeople(
        ministry="ministry",
        coordinators=len(region_codes),
        lecturers=LECTURER_COUNT,
        residents=RESIDENT_COUNT,
    )


def _seed_people(regions: Mapping[str, str], password_hash: str, done: Callable[[], None]) -> None:
    user_upsert(
        username="ministry",
        role=Role.MINISTRY,
        password_hash=password_hash,
        display_name="教育部职成司 Ministry",
        email="ministry@example.cn",
        is_staff=True,
    )
    done()
    region_codes = list(regions)
    for code, name in regions.items():
        user_upsert(
            username=f"coord-{code}",
            role=Role.COORDINATOR,
            password_hash=password_hash,
            display_name=f"{name}协调员",
            email=f"coord-{code}@example.cn",
            region_code=code,
        )
        done()
    for i in range(1, LECTURER_COUNT + 1):
        user_upsert(
            username=f"lecturer-{i:02d}",
            role=Role.LECTURER,
            password_hash=password_hash,
            display_name=f"讲师{i:02d}",
            email=f"lecturer-{i:02d}@example.cn",
            region_code=region_codes[(i * 7) % len(region_codes)],
        )
        done()
    for i in range(1, RESIDENT_COUNT + 1):
        user_upsert(
            username=f"resident-{i:02d}",
            role=Role.RESIDENT,
            password_hash=password_hash,
            display_name=f"居民{i:02d}",
            email=f"resident-{i:02d}@example.cn",
        )
        done()
