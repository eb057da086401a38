"""The taxonomy: groups and tags with labels and descriptions, the score threshold and the version."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tagging.errors import TaxonomyError
from tagging.seeds import read_seed, require, seeds_fingerprint


@dataclass(frozen=True, slots=True)
class TagInfo:
    id: str
    group: str
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class GroupInfo:
    id: str
    label: str
    tags: tuple[TagInfo, ...]


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Tag ids grouped as storefront filters show them; version changes whenever any seed file changes."""

    version: str
    threshold: float
    groups: tuple[GroupInfo, ...]

    @property
    def tags(self) -> dict[str, TagInfo]:
        return {tag.id: tag for group in self.groups for tag in group.tags}

    @property
    def tag_ids(self) -> tuple[str, ...]:
        return tuple(tag.id for group in self.groups for tag in group.tags)

    def group_of(self, tag_id: str) -> str:
        return self.tags[tag_id].group

    @classmethod
    def load(cls, directory: Path) -> Taxonomy:
        data = read_seed(directory, "taxonomy.yaml")
        where = f"{directory / 'taxonomy.yaml'}"
        threshold = float(require(data.get("threshold", 0.5), (int, float), f"{where}: threshold"))
        if not 0 < threshold <= 1:
            raise TaxonomyError(f"{where}: threshold must be in (0, 1], got {threshold}")
        groups: list[GroupInfo] = []
        seen: set[str] = set()
        for g_index, raw_group in enumerate(require(data.get("groups"), list, f"{where}: groups")):
            g_where = f"{where}: groups[{g_index}]"
            require(raw_group, dict, g_where)
            group_id = require(raw_group.get("id"), str, f"{g_where}.id")
            tags: list[TagInfo] = []
            for t_index, raw_tag in enumerate(require(raw_group.get("tags"), list, f"{g_where}.tags")):
                t_where = f"{g_where}.tags[{t_index}]"
                require(raw_tag, dict, t_where)
                tag_id = require(raw_tag.get("id"), str, f"{t_where}.id")
                if tag_id in seen:
                    raise TaxonomyError(f"{t_where}.id: duplicate tag id {tag_id!r}")
                seen.add(tag_id)
                tags.append(
                    TagInfo(
                        id=tag_id,
                        group=group_id,
                        label=require(raw_tag.get("label"), str, f"{t_where}.label"),
                        description=require(raw_tag.get("description", ""), str, f"{t_where}.description"),
                    )
                )
            groups.append(
                GroupInfo(group_id, require(raw_group.get("label"), str, f"{g_where}.label"), tuple(tags))
            )
        version = (
            f"{require(data.get('version'), (int, str), f'{where}: version')}.{seeds_fingerprint(directory)}"
        )
        return cls(version=version, threshold=threshold, groups=tuple(groups))
