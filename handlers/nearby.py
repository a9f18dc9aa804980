"""A WeChat location message picks the nearest grid (each grid's centre is in config.yaml)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.models import Grid

if TYPE_CHECKING:
    from handlers.settings import DomainSettings
    from storage.unit_of_work import UnitOfWork

EARTH_RADIUS_M = 6_371_000
MAX_DISTANCE_M = 3_000  # farther than this from every grid: not one of ours


@dataclass(frozen=True)
class NearestGrid:
    grid: Grid
    distance_m: float
    label: str  # what WeChat called the place (e.g. 章丘区双山街道新世纪花园)

    @property
    def buildings(self) -> str:
        buildings = sorted(self.grid.buildings, key=lambda b: (len(b.number), b.number))
        return "、".join(b.label for b in buildings[:6]) + ("等" if len(buildings) > 6 else "")


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance in metres between two (lat, lng) points."""
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def nearest_grid(media: dict, settings: "DomainSettings", uow: "UnitOfWork") -> NearestGrid | None:
    """The grid whose centre is closest to the location sent, or None if it is far from all of them."""
    try:
        here = (float(media["lat"]), float(media["lng"]))
    except (KeyError, TypeError, ValueError):
        return None
    ranked = sorted((distance_m(here, point), code) for code, point in settings.grid_points.items())
    for distance, code in ranked[:1]:
        grid = uow.directory.grid_by_code(code)
        if grid is not None and distance <= MAX_DISTANCE_M:
            return NearestGrid(grid, distance, str(media.get("label") or "").strip())
    return None
