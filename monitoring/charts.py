"""A small SVG chart drawn on the server: mentions per hour (bars) and average sentiment (a line)."""

from dataclasses import dataclass
from datetime import datetime

WIDTH, HEIGHT, PAD = 720, 160, 24


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    hour: datetime
    count: int
    sentiment: float | None


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    line: str  # an SVG points attribute for the sentiment line
    max_count: int
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    zero_y: float = PAD + (HEIGHT - 2 * PAD) / 2


def hourly_chart(hours: list[datetime], figures: dict[datetime, dict]) -> Chart:
    max_count = max((figures.get(hour, {}).get("count", 0) for hour in hours), default=0) or 1
    slot = (WIDTH - 2 * PAD) / max(len(hours), 1)
    inner = HEIGHT - 2 * PAD
    bars, points = [], []
    for index, hour in enumerate(hours):
        count = figures.get(hour, {}).get("count", 0)
        mood = figures.get(hour, {}).get("sentiment")
        height = inner * count / max_count
        x = PAD + index * slot
        bars.append(
            Bar(
                round(x + 1, 1),
                round(PAD + inner - height, 1),
                round(max(slot - 2, 1), 1),
                round(height, 1),
                hour,
                count,
                None if mood is None else round(mood, 2),
            )
        )
        if mood is not None:
            points.append(f"{x + slot / 2:.1f},{PAD + inner / 2 - mood * inner / 2:.1f}")
    return Chart(bars=bars, line=" ".join(points), max_count=max_count, total=sum(bar.count for bar in bars))
