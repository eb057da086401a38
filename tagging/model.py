"""Value objects the engine returns: a tag with its score and the evidence that earned it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    """Words in one field of the product; start/end index the original field text."""

    field: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class TagScore:
    """One tag the engine assigned, with a score in [0, 1] and its evidence."""

    id: str
    score: float
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": self.score, "evidence": [e.to_dict() for e in self.evidence]}
