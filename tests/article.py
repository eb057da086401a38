"""The taxonomy's own answer key: the four products of the article, with their must and may tags."""

from __future__ import annotations

# taxonomy.md, "The four products in the article": title → (must, may)
ARTICLE: dict[str, tuple[set[str], set[str]]] = {
    "Ultra Hydrating 12 Hour Facial Moisturizer": (
        {"neuroactive", "stress-defense", "hydration"},
        {"sensory-touch", "mindful-ritual", "barrier-support"},
    ),
    "Hyaluronic Acid + Vitamin C Serum": (
        {"hydration", "antioxidant-protection", "collagen-support"},
        {"barrier-support"},
    ),
    "Daily Mineral Sunscreen SPF 30": ({"sun-protection", "sensory-touch"}, set()),
    "1000 Roses Soothing Sleep Mask": (
        {"neuroscent", "stress-defense", "overnight-repair", "collagen-support", "soothing"},
        {"mindful-ritual"},
    ),
}
