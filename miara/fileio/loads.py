"""What a load of a file did: how many entries of each kind it created, updated or left."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, outcome: str) -> None:
        bucket = getattr(self, outcome)
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        parts = []
        for outcome in ("created", "updated", "unchanged"):
            bucket = getattr(self, outcome)
            if bucket:
                parts.append(f"{outcome} " + ", ".join(f"{n} {kind}" for kind, n in bucket.items()))
        return "; ".join(parts) or "nothing to load"
