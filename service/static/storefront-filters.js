// The filter panel (one collapsible group per taxonomy group, live counts from the API's
// facet_groups) and the row of active-filter chips above the results.
import { el } from "./storefront-dom.js";

export function renderFacets(host, groups, state, taxonomy, onToggle) {
  const open = new Set([...host.querySelectorAll("details[open]")].map((d) => d.dataset.group));
  const first = !host.childElementCount;
  host.replaceChildren();
  for (const group of groups) {
    const details = el("details", "facet");
    details.dataset.group = group.id;
    if (first || open.has(group.id)) details.open = true;
    const summary = el("summary", "facet__title", group.label);
    const ticked = (state.groups[group.id] || []).length;
    if (ticked) summary.append(el("span", "badge", ticked));
    details.append(summary);
    const list = el("ul", "facet__list");
    const known = taxonomy.groups.find((g) => g.id === group.id) || { tags: [] };
    const infos = new Map(known.tags.map((t) => [t.id, t]));
    for (const tag of group.tags) {
      const label = el("label", "check");
      const box = el("input");
      box.type = "checkbox";
      box.name = group.id;
      box.value = tag.id;
      box.dataset.tag = tag.id;
      box.checked = tag.selected;
      box.disabled = !tag.selected && tag.count === 0; // shown, dimmed: nothing would be left
      box.addEventListener("change", () => onToggle(group.id, tag.id, box.checked));
      const info = infos.get(tag.id);
      if (info && info.description) label.title = info.description;
      label.append(box, el("span", "check__box"), el("span", "check__label", tag.label), el("span", "facet-count", tag.count));
      label.classList.toggle("is-empty", box.disabled);
      const item = el("li", "facet__item");
      item.append(label);
      list.append(item);
    }
    details.append(list);
    host.append(details);
  }
  host.setAttribute("aria-busy", "false");
}

// remove: {tag(groupId, tagId), q(), minScore()}, each dropping that filter.
export function renderActive(host, state, taxonomy, remove) {
  host.replaceChildren();
  const labels = new Map(taxonomy.groups.flatMap((g) => g.tags.map((t) => [t.id, t.label])));
  const chip = (text, action) => {
    const li = el("li");
    const button = el("button", "active-chip", text);
    button.type = "button";
    button.setAttribute("aria-label", `Remove filter ${text}`);
    button.addEventListener("click", action);
    li.append(button);
    host.append(li);
  };
  for (const group of taxonomy.groups) {
    for (const id of state.groups[group.id] || []) chip(labels.get(id) || id, () => remove.tag(group.id, id));
  }
  if (state.q.trim()) chip(`“${state.q.trim()}”`, remove.q);
  if (state.minScore) chip(`Score ${state.minScore}+`, remove.minScore);
}
