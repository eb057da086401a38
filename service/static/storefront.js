// The storefront: filters live in the URL (the same parameters as GET /v1/products), results and
// facet counts come from the API. Product text is only ever set with textContent: never parsed as HTML.
"use strict";

(() => {
  const PAGE_SIZE = 24;
  const DEFAULT_SORT = "relevance";
  const $ = (id) => document.getElementById(id);
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  };

  let taxonomy = null; // GET /v1/tags: groups and tags with labels and descriptions
  let inflight = null; // the AbortController of the request being answered
  let trail = []; // cursors of the pages before this one (history.state keeps it per entry)

  // ---- state <-> URL -------------------------------------------------------------------------
  function readState() {
    const params = new URLSearchParams(location.search);
    const state = { groups: {}, q: params.get("q") || "", sort: params.get("sort") || DEFAULT_SORT,
      minScore: params.get("min_score") || "", cursor: params.get("cursor") || "" };
    for (const group of taxonomy.groups) {
      const ids = params.getAll(group.id).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
      const known = new Set(group.tags.map((t) => t.id));
      state.groups[group.id] = [...new Set(ids)].filter((id) => known.has(id));
    }
    return state;
  }

  function toParams(state, forApi) {
    const params = new URLSearchParams();
    for (const group of taxonomy.groups) {
      const ids = state.groups[group.id] || [];
      if (ids.length) params.set(group.id, ids.join(","));
    }
    if (state.q.trim()) params.set("q", state.q.trim());
    if (forApi || state.sort !== DEFAULT_SORT) params.set("sort", state.sort);
    if (state.minScore) params.set("min_score", state.minScore);
    if (state.cursor) params.set("cursor", state.cursor);
    if (forApi) {
      params.set("facets", "true");
      params.set("limit", String(PAGE_SIZE));
    }
    return params;
  }

  function navigate(state, { replace = false, keepTrail = false } = {}) {
    if (!keepTrail) trail = [];
    const query = toParams(state, false).toString();
    const url = query ? `?${query}` : location.pathname;
    const entry = { trail };
    if (replace) history.replaceState(entry, "", url);
    else history.pushState(entry, "", url);
    load();
  }

  // ---- fetching ---------------------------------------------------------------------------------
  async function getJson(url, signal) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, signal });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const detail = body && (body.detail || body.title);
      throw new Error(detail || `The catalog answered ${response.status}.`);
    }
    return body;
  }

  async function load() {
    const state = readState();
    syncControls(state);
    if (inflight) inflight.abort();
    inflight = new AbortController();
    setBusy(true);
    try {
      const page = await getJson(`/v1/products?${toParams(state, true)}`, inflight.signal);
      renderFacets(page.facet_groups || [], state);
      renderActive(state);
      renderResults(page, state);
      hideNotice();
    } catch (error) {
      if (error.name === "AbortError") return;
      showNotice(error.message);
    } finally {
      setBusy(false);
    }
  }

  // ---- rendering: filters ---------------------------------------------------------------------
  function renderFacets(groups, state) {
    const host = $("facet-groups");
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
      const infos = new Map((taxonomy.groups.find((g) => g.id === group.id) || { tags: [] }).tags.map((t) => [t.id, t]));
      for (const tag of group.tags) {
        const item = el("li", "facet__item");
        const label = el("label", "check");
        const box = el("input");
        box.type = "checkbox";
        box.name = group.id;
        box.value = tag.id;
        box.dataset.tag = tag.id;
        box.checked = tag.selected;
        box.disabled = !tag.selected && tag.count === 0;
        box.addEventListener("change", () => toggle(group.id, tag.id, box.checked));
        const info = infos.get(tag.id);
        if (info && info.description) label.title = info.description;
        label.append(box, el("span", "check__box"), el("span", "check__label", tag.label),
          el("span", "facet-count", tag.count));
        label.classList.toggle("is-empty", box.disabled);
        item.append(label);
        list.append(item);
      }
      details.append(list);
      host.append(details);
    }
    host.setAttribute("aria-busy", "false");
    const count = Object.values(state.groups).reduce((n, ids) => n + ids.length, 0) + (state.minScore ? 1 : 0);
    $("filter-count").hidden = !count;
    $("filter-count").textContent = String(count);
  }

  function renderActive(state) {
    const host = $("active-filters");
    host.replaceChildren();
    const labels = new Map(taxonomy.groups.flatMap((g) => g.tags.map((t) => [t.id, t.label])));
    const chip = (text, remove) => {
      const li = el("li");
      const button = el("button", "active-chip", text);
      button.type = "button";
      button.setAttribute("aria-label", `Remove filter ${text}`);
      button.addEventListener("click", remove);
      li.append(button);
      host.append(li);
    };
    for (const group of taxonomy.groups) {
      for (const id of state.groups[group.id] || []) chip(labels.get(id) || id, () => toggle(group.id, id, false));
    }
    if (state.q.trim()) chip(`“${state.q.trim()}”`, () => navigate({ ...readState(), q: "", cursor: "" }));
    if (state.minScore) chip(`Score ${state.minScore}+`, () => navigate({ ...readState(), minScore: "", cursor: "" }));
  }

  function toggle(groupId, tagId, on) {
    const state = readState();
    const ids = new Set(state.groups[groupId] || []);
    if (on) ids.add(tagId);
    else ids.delete(tagId);
    state.groups[groupId] = [...ids];
    state.cursor = "";
    navigate(state);
  }

  function syncControls(state) {
    if (document.activeElement !== $("q")) $("q").value = state.q;
    $("sort").value = state.sort;
    $("min-score").value = state.minScore;
  }

  // ---- rendering: products --------------------------------------------------------------------
  const money = new Map();
  function price(product) {
    if (typeof product.price !== "number") return "";
    const currency = product.currency || "USD";
    try {
      if (!money.has(currency)) money.set(currency, new Intl.NumberFormat(undefined, { style: "currency", currency }));
      return money.get(currency).format(product.price);
    } catch {
      return `${product.price.toFixed(2)} ${currency}`;
    }
  }

  function hue(text) {
    let h = 0;
    for (const ch of text) h = (h * 31 + ch.codePointAt(0)) % 360;
    return h;
  }

  function monogram(text) {
    const words = text.split(/\s+/).filter((w) => /\p{L}|\p{N}/u.test(w));
    return words.slice(0, 2).map((w) => [...w.replace(/[^\p{L}\p{N}]/gu, "")][0] || "").join("").toUpperCase() || "•";
  }

  function renderResults(page, state) {
    const grid = $("grid");
    grid.replaceChildren(...page.items.map((product, i) => card(product, i)));
    grid.setAttribute("aria-busy", "false");
    const start = trail.length * PAGE_SIZE;
    const shown = page.items.length;
    $("summary").textContent = page.total === 0 ? "No products" :
      shown === page.total ? `${page.total} product${page.total === 1 ? "" : "s"}` :
      `${start + 1}–${start + shown} of ${page.total} products`;
    $("empty").hidden = page.total !== 0;
    const pager = $("pager");
    pager.hidden = !page.next_cursor && !state.cursor;
    $("prev").disabled = !state.cursor;
    $("next").disabled = !page.next_cursor;
    $("next").dataset.cursor = page.next_cursor || "";
    $("page-where").textContent = `Page ${trail.length + 1} of ${Math.max(1, Math.ceil(page.total / PAGE_SIZE))}`;
  }

  function card(product, index) {
    const node = $("card-template").content.firstElementChild.cloneNode(true);
    node.dataset.sku = product.sku;
    const title = product.title || product.sku;
    const brand = product.brand || "";
    node.querySelector(".card__brand").textContent = brand;
    node.querySelector(".card__title").textContent = title;
    node.querySelector(".card__category").textContent = product.category || "";
    node.querySelector(".card__price").textContent = price(product);
    const media = node.querySelector(".card__media");
    media.style.setProperty("--hue", String(hue(brand || title)));
    node.querySelector(".card__monogram").textContent = monogram(brand || title);
    if (typeof product.image_url === "string" && product.image_url.startsWith("https://")) {
      const img = el("img");
      img.alt = "";
      img.loading = index < 8 ? "eager" : "lazy";
      img.decoding = "async";
      img.referrerPolicy = "no-referrer";
      img.addEventListener("load", () => img.classList.add("is-loaded"));
      img.addEventListener("error", () => img.remove()); // the monogram stays: no broken image
      img.src = product.image_url;
      media.append(img);
    }
    const chips = node.querySelector(".chips");
    const panel = node.querySelector(".evidence");
    panel.id = `evidence-${index}`;
    const tags = [...(product.tags || [])].sort((a, b) => (a.group === b.group ? b.score - a.score : a.group < b.group ? 1 : -1));
    for (const tag of tags) {
      const li = el("li");
      const chip = el("button", `chip chip--${tag.group === "benefit" ? "benefit" : "neuro"}`, tag.label);
      chip.type = "button";
      chip.dataset.tag = tag.id;
      chip.setAttribute("aria-expanded", "false");
      chip.setAttribute("aria-controls", panel.id);
      chip.title = "Why this tag?";
      chip.addEventListener("click", () => showEvidence(node, chip, tag, panel));
      li.append(chip);
      chips.append(li);
    }
    if (!tags.length) chips.append(el("li", "chips__none", "No tags yet"));
    return node;
  }

  const FIELD_NAMES = { title: "Title", description: "Description", category: "Category", brand: "Brand" };
  function fieldName(field) {
    if (FIELD_NAMES[field]) return FIELD_NAMES[field];
    const part = /^ingredients(?:\[(\d+)\])?$/.exec(field);
    if (part) return part[1] === undefined ? "Ingredients" : `Ingredients, part ${Number(part[1]) + 1}`;
    return field;
  }

  function showEvidence(cardNode, chip, tag, panel) {
    const wasOpen = chip.getAttribute("aria-expanded") === "true";
    for (const other of cardNode.querySelectorAll(".chip")) other.setAttribute("aria-expanded", "false");
    if (wasOpen) {
      panel.hidden = true;
      return;
    }
    chip.setAttribute("aria-expanded", "true");
    panel.replaceChildren();
    const head = el("p", "evidence__head");
    head.append(el("strong", null, tag.label), el("span", "evidence__score", `score ${tag.score.toFixed(2)}`));
    const meter = el("span", "meter");
    meter.setAttribute("role", "img");
    meter.setAttribute("aria-label", `Score ${Math.round(tag.score * 100)} out of 100`);
    const fill = el("span", "meter__fill");
    fill.style.setProperty("--score", String(Math.max(0, Math.min(1, tag.score))));
    meter.append(fill);
    panel.append(head, meter);
    const evidence = tag.evidence || [];
    if (tag.source === "manual" && !evidence.length) {
      panel.append(el("p", "evidence__note", "Set by a merchandiser."));
    } else if (!evidence.length) {
      panel.append(el("p", "evidence__note", "No evidence recorded."));
    } else {
      panel.append(el("p", "evidence__intro", "Earned by these words:"));
      const list = el("ul", "evidence__list");
      for (const item of evidence) {
        const li = el("li");
        li.append(el("q", null, item.text), el("span", "evidence__field", fieldName(item.field)));
        list.append(li);
      }
      panel.append(list);
      if (tag.source === "manual") panel.append(el("p", "evidence__note", "Confirmed by a merchandiser."));
    }
    panel.hidden = false;
  }

  // ---- chrome ---------------------------------------------------------------------------------
  function setBusy(busy) {
    document.body.classList.toggle("is-loading", busy);
    $("grid").setAttribute("aria-busy", String(busy));
  }

  function showNotice(message) {
    const notice = $("notice");
    notice.textContent = message;
    notice.hidden = false;
    $("summary").textContent = "";
  }

  function hideNotice() {
    $("notice").hidden = true;
  }

  function openFilters(open) {
    document.body.classList.toggle("filters-open", open);
    $("open-filters").setAttribute("aria-expanded", String(open));
    if (open) $("close-filters").focus();
  }

  function clearAll() {
    const state = readState();
    for (const id of Object.keys(state.groups)) state.groups[id] = [];
    navigate({ ...state, q: "", minScore: "", cursor: "" });
  }

  function wire() {
    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      navigate({ ...readState(), q: $("q").value, cursor: "" });
    });
    let typing = null;
    $("q").addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(() => navigate({ ...readState(), q: $("q").value, cursor: "" }, { replace: true }), 300);
    });
    $("sort").addEventListener("change", () => navigate({ ...readState(), sort: $("sort").value, cursor: "" }));
    $("min-score").addEventListener("change", () => navigate({ ...readState(), minScore: $("min-score").value, cursor: "" }));
    $("clear-all").addEventListener("click", clearAll);
    $("empty-clear").addEventListener("click", clearAll);
    $("next").addEventListener("click", () => {
      const state = readState();
      trail = [...trail, state.cursor];
      navigate({ ...state, cursor: $("next").dataset.cursor }, { keepTrail: true });
      $("results").focus({ preventScroll: true });
      $("results").scrollIntoView({ behavior: "smooth", block: "start" });
    });
    $("prev").addEventListener("click", () => {
      const previous = trail.length ? trail[trail.length - 1] : "";
      trail = trail.slice(0, -1);
      navigate({ ...readState(), cursor: previous }, { keepTrail: true });
      $("results").scrollIntoView({ behavior: "smooth", block: "start" });
    });
    $("open-filters").addEventListener("click", () => openFilters(true));
    $("close-filters").addEventListener("click", () => openFilters(false));
    $("done-filters").addEventListener("click", () => openFilters(false));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && document.body.classList.contains("filters-open")) openFilters(false);
    });
    window.addEventListener("popstate", (event) => {
      trail = (event.state && event.state.trail) || [];
      load();
    });
  }

  async function start() {
    wire();
    try {
      taxonomy = await getJson("/v1/tags");
    } catch (error) {
      showNotice(error.message);
      return;
    }
    trail = (history.state && history.state.trail) || [];
    history.replaceState({ trail }, "", location.href);
    load();
  }

  start();
})();
