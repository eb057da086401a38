"""Seed files are validated at load with errors that name the file and the place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tagging import TaxonomyError
from tagging.engine import build_tagger
from tagging.seeds import SEED_FILES, seeds_dir


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    for name in SEED_FILES:
        shutil.copy(seeds_dir() / name, tmp_path / name)
    return tmp_path


def test_shipped_seeds_load() -> None:
    tagger = build_tagger(seeds_dir())
    assert len(tagger.taxonomy.tag_ids) == 13
    assert tagger.ingredients.size > 100


def test_version_changes_when_a_seed_changes(seeds_copy: Path) -> None:
    before = build_tagger(seeds_copy).version
    claims = seeds_copy / "claims.yaml"
    claims.write_text(claims.read_text() + "\n# a comment is a change too\n")
    assert build_tagger(seeds_copy).version != before


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("claims.yaml", "  sensory-touch:", "  sensory-tuch:", "tags.sensory-tuch: not a tag id"),
        ("claims.yaml", "level: weak", "level: feeble", "unknown level 'feeble'"),
        (
            "roles.yaml",
            "[[third, 0.6], [half, 0.3], [all, 0.15]]",
            "[[top, 0.6]]",
            "limit must be third, half, all",
        ),
        ("taxonomy.yaml", "threshold: 0.5", "threshold: 5", "threshold must be in (0, 1]"),
        ("ingredients.yaml", "roles: [humectant]", "roles: [humectnt]", "unknown role(s) ['humectnt']"),
        ("claims.yaml", "weak_on: [colour]", "weak_on: [color]", "weak_on names unknown signal(s) ['color']"),
    ],
)
def test_bad_seed_is_a_clear_error(seeds_copy: Path, name: str, old: str, new: str, message: str) -> None:
    path = seeds_copy / name
    text = path.read_text()
    assert old in text, f"fixture drift: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(TaxonomyError) as error:
        build_tagger(seeds_copy)
    assert name in str(error.value) and message in str(error.value)


def test_missing_and_unparsable_files(seeds_copy: Path) -> None:
    (seeds_copy / "signals.yaml").unlink()
    with pytest.raises(TaxonomyError, match=r"signals\.yaml: seed file not found"):
        build_tagger(seeds_copy)
    (seeds_copy / "signals.yaml").write_text("signals: [unclosed")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        build_tagger(seeds_copy)
