// The storefront: filters live in the URL (the same parameters as GET /v1/products), results and
// facet counts come from the API. Product text is only ever set with textContent: never parsed as HTML.
import { card } from "./storefront-cards.js";
import { $ } from "./storefront-dom.js";
import { renderActive, renderFacets } from "./storefront-filters.js";

const PAGE_SIZE = 24;
const DEFAULT_SORT = "relevance";

let taxonomy = null; // GET /v1/tags: groups and tags with labels and descriptions
let inflight = null; // the AbortController of the request being answered
let trail = []; // cursors of the pages before this one (history.state keeps it per entry)

// ---- state <-> URL ---------------------------------------------------------------------------
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
  if (replace) history.replaceState({ trail }, "", url);
  else history.pushState({ trail }, "", url);
  load();
}

function toggle(groupId, tagId, on) {
  const state = readState();
  const ids = new Set(state.groups[groupId] || []);
  if (on) ids.add(tagId);
  else ids.delete(tagId);
  state.groups[groupId] = [...ids];
  navigate({ ...state, cursor: "" });
}

const remove = {
  tag: (groupId, tagId) => toggle(groupId, tagId, false),
  q: () => navigate({ ...readState(), q: "", cursor: "" }),
  minScore: () => navigate({ ...readState(), minScore: "", cursor: "" }),
};

function clearAll() {
  const state = readState();
  for (const id of Object.keys(state.groups)) state.groups[id] = [];
  navigate({ ...state, q: "", minScore: "", cursor: "" });
}

// ---- fetching and rendering --------------------------------------------------------------------
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
    renderFacets($("facet-groups"), page.facet_groups || [], state, taxonomy, toggle);
    renderActive($("active-filters"), state, taxonomy, remove);
    renderResults(page, state);
    $("notice").hidden = true;
  } catch (error) {
    if (error.name === "AbortError") return;
    showNotice(error.message);
  } finally {
    setBusy(false);
  }
}

function syncControls(state) {
  if (document.activeElement !== $("q")) $("q").value = state.q;
  $("sort").value = state.sort;
  $("min-score").value = state.minScore;
  const count = Object.values(state.groups).reduce((n, ids) => n + ids.length, 0) + (state.minScore ? 1 : 0);
  $("filter-count").hidden = !count;
  $("filter-count").textContent = String(count);
}

function renderResults(page, state) {
  const template = $("card-template");
  $("grid").replaceChildren(...page.items.map((product, i) => card(template, product, i)));
  const start = trail.length * PAGE_SIZE;
  const shown = page.items.length;
  $("summary").textContent = page.total === 0 ? "No products" :
    shown === page.total ? `${page.total} product${page.total === 1 ? "" : "s"}` :
    `${start + 1}–${start + shown} of ${page.total} products`;
  $("empty").hidden = page.total !== 0;
  $("pager").hidden = !page.next_cursor && !state.cursor;
  $("prev").disabled = !state.cursor;
  $("next").disabled = !page.next_cursor;
  $("next").dataset.cursor = page.next_cursor || "";
  $("page-where").textContent = `Page ${trail.length + 1} of ${Math.max(1, Math.ceil(page.total / PAGE_SIZE))}`;
}

function setBusy(busy) {
  document.body.classList.toggle("is-loading", busy);
  $("grid").setAttribute("aria-busy", String(busy));
}

function showNotice(message) {
  $("notice").textContent = message;
  $("notice").hidden = false;
  $("summary").textContent = "";
}

function openFilters(open) {
  document.body.classList.toggle("filters-open", open);
  $("open-filters").setAttribute("aria-expanded", String(open));
  if (open) $("close-filters").focus();
}

function toResults() {
  $("results").focus({ preventScroll: true });
  $("results").scrollIntoView({ behavior: "smooth", block: "start" });
}

// ---- wiring -------------------------------------------------------------------------------------
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
    toResults();
  });
  $("prev").addEventListener("click", () => {
    const previous = trail.length ? trail[trail.length - 1] : "";
    trail = trail.slice(0, -1);
    navigate({ ...readState(), cursor: previous }, { keepTrail: true });
    toResults();
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
