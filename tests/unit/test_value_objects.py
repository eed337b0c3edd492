"""Value objects validate themselves and normalise what they accept."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from closet.domain.colors import PALETTE, Color, color_sort_key, nearest_name, parse_hex
from closet.domain.errors import InvalidValue
from closet.domain.items import TAG_MAX, normalise_tags
from closet.domain.materials import composition
from closet.domain.money import Money
from closet.domain.sizes import Size, SizeSystem
from closet.domain.users import canonical_time_zone, check_password, latest_date, local_date, normalise_email


def test_colours_by_name_alias_or_hex() -> None:
    assert Color.of("Navy Blue") == Color("navy", PALETTE["navy"])
    assert Color.of("gray").name == "grey"
    assert Color.of(hex="#F00") == Color("red", "#ff0000")
    assert Color.of(hex="111111").name == "black"
    assert Color.of("white", "#fafafa") == Color("white", "#fafafa")  # keeps the exact shade
    for bad in (lambda: Color.of("blurple"), lambda: Color.of(hex="#12345"), Color.of):
        with pytest.raises(InvalidValue):
            bad()


@given(st.sampled_from(list(PALETTE)))
def test_every_palette_colour_is_its_own_nearest(name: str) -> None:
    assert nearest_name(PALETTE[name]) == name


@given(st.integers(0, 0xFFFFFF))
def test_any_hex_maps_into_the_palette(value: int) -> None:
    hex_value = parse_hex(f"{value:06x}")
    assert Color.of(hex=hex_value).name in PALETTE


def test_perceptual_order_neutrals_then_earth_then_hues() -> None:
    names = [
        "pink",
        "blue",
        "brown",
        "white",
        "red",
        "black",
        "green",
        "grey",
        "yellow",
        "beige",
        "purple",
        "orange",
    ]
    ordered = sorted(names, key=lambda n: color_sort_key(PALETTE[n]))
    assert ordered == [
        "black", "grey", "white", "beige", "brown",
        "red", "orange", "yellow", "green", "blue", "purple", "pink",
    ]  # fmt: skip
    # within a hue family: light to dark
    assert color_sort_key(PALETTE["light-blue"]) < color_sort_key(PALETTE["navy"])


def test_money_is_exact_and_checked() -> None:
    assert Money.of("120.5", "eur") == Money(Decimal("120.50"), "EUR")
    assert Money.of(1500, "JPY").amount == Decimal(1500)
    assert Money.of("1.234", "KWD").amount == Decimal("1.234")
    for amount, currency, field in [
        ("-0.01", "EUR", "amount"),
        ("1.001", "EUR", "amount"),
        ("1.5", "JPY", "amount"),
        ("NaN", "EUR", "amount"),
        ("abc", "EUR", "amount"),
        ("1", "XXX", "currency"),
        ("1", "euro", "currency"),
        ("1e12", "EUR", "amount"),
    ]:
        with pytest.raises(InvalidValue) as caught:
            Money.of(amount, currency)
        assert caught.value.errors[0].field == field


@given(st.decimals(min_value=0, max_value=999_999_999, places=2))
def test_any_two_place_amount_survives(amount: Decimal) -> None:
    assert Money.of(amount, "EUR").amount == amount


@pytest.mark.parametrize(
    ("system", "label", "canonical"),
    [
        ("letter", "xl", "XL"),
        ("letter", "xxxl", "3XL"),
        ("letter", "2xl", "XXL"),
        ("EU", "38", "38"),
        ("us", "00", "00"),
        ("uk", "010", "10"),
        ("it", "44", "44"),
        ("fr", "36", "36"),
        ("jeans", "32x34", "W32 L34"),
        ("jeans", "W30 L32", "W30 L32"),
        ("shoe_eu", "38,5", "38.5"),
        ("shoe_us", "9.5", "9.5"),
        ("shoe_uk", "7", "7"),
        ("one_size", "One Size", "one size"),
    ],
)
def test_sizes_normalise(system: str, label: str, canonical: str) -> None:
    assert Size.of(system, label).label == canonical


@pytest.mark.parametrize(
    ("system", "label"),
    [
        ("letter", "XXXXXL"),
        ("eu", "XL"),
        ("eu", "200"),
        ("us", "-2"),
        ("jeans", "32"),
        ("jeans", "W99 L99"),
        ("shoe_eu", "38.3"),
        ("shoe_eu", "99"),
        ("one_size", "M"),
        ("galactic", "5"),
    ],
)
def test_nonsense_sizes_are_refused(system: str, label: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        Size.of(system, label)
    assert caught.value.errors[0].field in {"label", "system"}
    assert Size.of("letter", "m").system is SizeSystem.LETTER


def test_composition_adds_up_to_100() -> None:
    assert [(m.fibre, m.percent) for m in composition([("Cotton", 95), ("Spandex", "5")])] == [
        ("cotton", Decimal(95)),
        ("elastane", Decimal(5)),
    ]
    assert composition([]) == ()
    assert composition([("wool", "33.3"), ("silk", "66.7")])[0].percent == Decimal("33.3")
    for bad, field in [
        ([("wool", 50)], ""),
        ([("wool", 50), ("wool", 50)], "[1].fibre"),
        ([("wool", 0), ("silk", 100)], "[0].percent"),
        ([("wool", "33.33"), ("silk", "66.67")], "[0].percent"),
        ([("adamantium", 100)], "[0].fibre"),
    ]:
        with pytest.raises(InvalidValue) as caught:
            composition(bad)
        assert caught.value.errors[0].field == field


@given(st.lists(st.text(max_size=45), max_size=60))
def test_tags_are_normalised_or_refused(raw: list[str]) -> None:
    try:
        tags = normalise_tags(raw)
    except InvalidValue:
        return
    assert len(tags) <= 50 and len(set(tags)) == len(tags)
    for tag in tags:
        assert tag and len(tag) <= TAG_MAX and tag == tag.casefold() and tag == " ".join(tag.split())
    assert normalise_tags(tags) == tags  # idempotent


def test_emails_and_passwords() -> None:
    assert normalise_email(" Ann@Example.COM ") == "ann@example.com"
    assert normalise_email("a@bücher.de") == "a@xn--bcher-kva.de"
    for bad in ("ann", "ann@", "@example.com", "a b@example.com", "a@b"):
        with pytest.raises(InvalidValue):
            normalise_email(bad)
    with pytest.raises(InvalidValue):
        check_password("short")
    with pytest.raises(InvalidValue):
        check_password(" " * 20)
    assert check_password("twelve chars") == "twelve chars"


def test_season_names_come_in_the_calendars_order() -> None:
    from closet.domain.items import Season, season_names  # noqa: PLC0415

    assert season_names({Season.WINTER, Season.SPRING, Season.AUTUMN}) == ["spring", "autumn", "winter"]
    assert season_names(frozenset()) == []
    first = season_names({Season.SUMMER})
    first.append("changed")  # each caller gets its own list
    assert season_names({Season.SUMMER}) == ["summer"]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("UTC", "UTC"),
        ("utc", "UTC"),
        (" Europe/Paris ", "Europe/Paris"),
        ("america/argentina/buenos_aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_a_time_zone_is_stored_in_its_canonical_spelling(given: str, stored: str) -> None:
    assert canonical_time_zone(given) == stored


@pytest.mark.parametrize(
    "given", ["", "Europe", "Mars/Olympus_Mons", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "+02:00"]
)
def test_a_time_zone_must_be_an_iana_name(given: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        canonical_time_zone(given)
    assert [e.field for e in caught.value.errors] == ["time_zone"]


def test_a_zone_the_database_no_longer_knows_counts_as_utc() -> None:
    now = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
    assert local_date(now, "Pacific/Auckland") == date(2026, 11, 23)
    assert local_date(now, "Atlantis/Capital") == local_date(now, "UTC") == date(2026, 11, 22)
    assert latest_date(datetime(2026, 11, 22, 9, 59, tzinfo=UTC)) == date(2026, 11, 22)
    assert latest_date(datetime(2026, 11, 22, 10, 0, tzinfo=UTC)) == date(2026, 11, 23)
