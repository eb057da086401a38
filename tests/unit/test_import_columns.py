"""CSV column mapping: our own field names, Shopify's export folded per Handle, and explicit mappings."""

from __future__ import annotations

import csv
import io

import pytest

from service.columns import derive_sku, explicit, own_fields, parse_mapping
from service.errors import MappingError
from service.formats import MeteredStream, Row, buffered, read_csv
from service.shopify import describe, is_shopify, shopify_rows


def csv_body(rows: list[list[str]]) -> tuple[list[str], list[Row]]:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    header, records = read_csv(buffered(MeteredStream(io.BytesIO(text.getvalue().encode()))))
    if is_shopify(header):
        return header, list(shopify_rows(header, records))
    columns = own_fields(header)
    assert columns is not None
    return header, list(columns.rows(records))


def test_own_field_names_map_to_themselves_and_others_are_listed_as_ignored() -> None:
    header, rows = csv_body(
        [["sku", "title", "price", "colour"], ["a", "Cream", "12.5", "red"], ["b", "", "", ""]]
    )
    assert rows == [Row(2, {"sku": "a", "title": "Cream", "price": "12.5"}), Row(3, {"sku": "b"})]
    columns = own_fields(header)
    assert columns is not None and columns.describe()["ignored"] == ["colour"]


def test_explicit_mapping_derives_a_sku_from_brand_and_name() -> None:
    mapping = parse_mapping(["Name:title", "Brand:brand", "Label:category", "Brand+Name:sku"])
    columns = explicit(["Label", "Brand", "Name", "Price"], mapping)
    product = columns.product(["Moisturizer", "LA MER", "Crème de la Mer", "175"])
    assert product == {
        "title": "Crème de la Mer",
        "brand": "LA MER",
        "category": "Moisturizer",
        "sku": "la-mer-creme-de-la-mer",
    }
    assert columns.describe()["ignored"] == ["Price"]


def test_a_column_name_containing_plus_is_taken_whole() -> None:
    columns = explicit(["Id+Ref", "Name"], parse_mapping(["Id+Ref:sku", "Name:title"]))
    assert columns.product(["x-1", "Serum"]) == {"sku": "x-1", "title": "Serum"}


def test_long_derived_skus_stay_unique_within_128_characters() -> None:
    a, b = derive_sku(["brand", "x" * 200 + "a"]), derive_sku(["brand", "x" * 200 + "b"])
    assert len(a) <= 128 and len(b) <= 128 and a != b


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["Name"], "Column:field"),
        (["Name:colour"], "no product field"),
        (["Name:title", "Other:title"], "mapped twice"),
    ],
)
def test_malformed_mappings_are_refused(specs: list[str], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        parse_mapping(specs)


def test_mapping_must_name_sku_and_title_and_existing_columns() -> None:
    with pytest.raises(MappingError, match="sku"):
        explicit(["Name"], parse_mapping(["Name:title"]))
    with pytest.raises(MappingError, match=r"'Brand Name'.*%2B"):
        explicit(["Brand", "Name"], parse_mapping(["Name:title", "Brand Name:sku"]))


SHOPIFY = [
    ["Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Variant SKU",
     "Variant Price", "Image Src", "Ingredients (product.metafields.custom.ingredients)"],
    ["calm-mask", "Calm Mask", "<p>Overnight lavender mask</p>", "Quietroot",
     "Health & Beauty > Skin Care > Face Masks", "", "sleep, lavender", "CM-50", "32.00", "",
     "Water, Glycerin"],
    ["calm-mask", "", "", "", "", "", "", "CM-100", "48.00", "https://img/calm.jpg", ""],
    ["spf-30", "Daily SPF 30", "", "Sunny", "", "Sunscreen", "", "S-1", "20", "", ""],
    ["", "", "", "", "", "", "", "", "", "https://img/orphan.jpg", ""],
]  # fmt: skip


def test_shopify_variant_rows_fold_into_one_product() -> None:
    header, rows = csv_body(SHOPIFY)
    assert rows[0] == Row(
        2,
        {
            "sku": "calm-mask",
            "title": "Calm Mask",
            "description": "<p>Overnight lavender mask</p>\n\nTags: sleep, lavender",
            "brand": "Quietroot",
            "category": "Face Masks",
            "price": "32.00",
            "image_url": "https://img/calm.jpg",
            "ingredients": "Water, Glycerin",
        },
    )
    # A bad row is reported when it is met; a product once its last row has been read.
    assert rows[1].number == 5 and rows[1].error and "Handle" in rows[1].error
    assert rows[2] == Row(
        4,
        {"sku": "spf-30", "title": "Daily SPF 30", "brand": "Sunny", "category": "Sunscreen", "price": "20"},
    )
    assert len(rows) == 3
    assert describe(header)["ignored"] == ["Variant SKU"]
