"""Locating and reading the seed files that hold the engine's domain knowledge."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import yaml

from tagging.errors import TaxonomyError

SEED_FILES = ("taxonomy.yaml", "claims.yaml", "signals.yaml", "roles.yaml", "ingredients.yaml")


def seeds_dir() -> Path:
    """NEUROTAG_SEEDS_DIR, or the seeds/ folder at the project's root."""
    configured = os.environ.get("NEUROTAG_SEEDS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "seeds"


def read_seed(directory: Path, name: str) -> dict[str, Any]:
    """Parse one YAML seed file into a mapping, or raise TaxonomyError naming the file."""
    path = directory / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TaxonomyError(f"{path}: seed file not found") from exc
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TaxonomyError(f"{path}: expected a mapping at the top level")
    return data


def seeds_fingerprint(directory: Path) -> str:
    """A short hash of every seed file: any edit to the domain knowledge changes it."""
    digest = hashlib.sha256()
    for name in SEED_FILES:
        path = directory / name
        digest.update(name.encode())
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def require(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    """Return value if it has the expected type, else raise TaxonomyError saying where."""
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise TaxonomyError(f"{where}: expected {names}, got {type(value).__name__} ({value!r:.60})")
    return value


def string_list(value: Any, where: str) -> list[str]:
    """A list of non-empty strings, or TaxonomyError."""
    items = require(value, list, where)
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise TaxonomyError(f"{where}[{index}]: expected a non-empty string, got {item!r}")
    return list(items)
