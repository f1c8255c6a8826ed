"""The cluster topology as SVG, laid out here and drawn by templates/topology.svg: directors
on the left with the VIPs they hold, virtual services in the middle, real servers on the
right, each box in the colour of its verdict. Server-side and static: no script, no CDN."""

from __future__ import annotations

from dataclasses import dataclass

from lvscc.serve.view import ClusterView, DestView, DirectorView, ServiceView

WIDTH = 1010
DIRECTOR_X, DIRECTOR_W = 10, 270
SERVICE_X, SERVICE_W = 330, 340
DEST_X, DEST_W = 730, 270
DEST_H, DEST_GAP = 40, 8
SERVICE_MIN_H = 84
LINE = 16  # text line height
TOP = 34  # below the column headings


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def left(self) -> tuple[int, int]:
        return self.x, self.y + self.h // 2

    @property
    def right(self) -> tuple[int, int]:
        return self.x + self.w, self.y + self.h // 2


@dataclass(frozen=True)
class Placed:
    box: Box
    item: DirectorView | ServiceView | DestView
    parent: int | None = None  # index of the service box a real server hangs from


@dataclass(frozen=True)
class Link:
    start: tuple[int, int]
    end: tuple[int, int]
    kind: str


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    directors: tuple[Placed, ...]
    services: tuple[Placed, ...]
    dests: tuple[Placed, ...]
    links: tuple[Link, ...]


def _director_height(d: DirectorView) -> int:
    return 2 * LINE + 12 + LINE * (len(d.addresses) + len(d.vips))


def _service_height(s: ServiceView) -> int:
    return max(SERVICE_MIN_H, len(s.dests) * (DEST_H + DEST_GAP) - DEST_GAP)


def _vip(address: str) -> str:
    return address.split("/", 1)[0]


def layout(view: ClusterView) -> Layout:
    directors, y = [], TOP
    for d in view.directors:
        directors.append(Placed(Box(DIRECTOR_X, y, DIRECTOR_W, _director_height(d)), d))
        y += directors[-1].box.h + 16
    services, dests, links, y2 = [], [], [], TOP
    for s in (*view.services, *view.others):
        box = Box(SERVICE_X, y2, SERVICE_W, _service_height(s))
        services.append(Placed(box, s))
        top = y2 + (box.h - (len(s.dests) * (DEST_H + DEST_GAP) - DEST_GAP)) // 2
        for i, dest in enumerate(s.dests):
            placed = Placed(Box(DEST_X, top + i * (DEST_H + DEST_GAP), DEST_W, DEST_H), dest, len(services) - 1)
            dests.append(placed)
            links.append(Link(box.right, placed.box.left, dest.verdict.kind))
        y2 += box.h + 20
    for placed_director in directors:
        director = placed_director.item
        assert isinstance(director, DirectorView)
        held = {_vip(v.address): v.state for v in director.vips}
        for placed_service in services:
            service = placed_service.item
            assert isinstance(service, ServiceView)
            if service.vip in held:
                links.append(Link(placed_director.box.right, placed_service.box.left, held[service.vip]))
    height = max(y, y2, TOP + 40) + 10
    return Layout(WIDTH, height, tuple(directors), tuple(services), tuple(dests), tuple(links))
