// Product cards: brand, title, price, a monogram behind the image, and tag chips that open the
// evidence of each tag (the words that earned it). Every product string is set with textContent.
import { el } from "./storefront-dom.js";

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

// Neurocosmetic chips first, then benefits; strongest first within each.
function ordered(tags) {
  return [...(tags || [])].sort((a, b) => (a.group === b.group ? b.score - a.score : a.group < b.group ? 1 : -1));
}

export function card(template, product, index) {
  const node = template.content.firstElementChild.cloneNode(true);
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
  const tags = ordered(product.tags);
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
