"""Payee normalisation: the bank's many spellings of one merchant come to one key, and different merchants don't."""

from __future__ import annotations

import pytest

from bot.coding.payees import normalise, same_merchant


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Figma Inc", "figma"),
        ("FIGMA INC.", "figma"),
        ("figma, inc", "figma"),
        ("FIGMA.COM", "figma"),
        ("PAYPAL *FIGMA", "figma"),
        ("Atlassian Pty Ltd", "atlassian"),
        ("ATLASSIAN PTY. LTD. SYDNEY AU", "atlassian"),
        ("Grab Holdings Pte. Ltd.", "grab holdings"),
        ("Acme GmbH", "acme"),
        ("Acme GmbH & Co. KG", "acme"),
        ("Notion Labs, LLC", "notion labs"),
        ("Booking.com B.V.", "booking"),
        ("Decathlon SA", "decathlon"),
        ("Le Petit Bistro SARL", "le petit bistro"),
        ("Siemens AG", "siemens"),
        ("Pret A Manger (Europe) Ltd", "pret a manger europe"),
        ("SQ *BLUE BOTTLE COFFEE #0412 SAN FRANCISCO CA", "blue bottle coffee"),
        ("Sq * Blue Bottle Coffee", "blue bottle coffee"),
        ("TST* JOE'S PIZZA 1234", "joes pizza"),
        ("PADDLE.NET* N8N", "n8n"),
        ("GOOGLE *Google Workspace", "google workspace"),
        ("GOOGLE*WORKSPACE ACME", "google workspace acme"),
        ("AMZN Mktp US*2K4LL1AB2", "amazon"),
        ("AMAZON MKTPLACE PMTS", "amazon"),
        ("STARBUCKS 04521 SINGAPORE SG", "starbucks"),
        ("STARBUCKS STORE 0452", "starbucks"),
        ("UBER *TRIP HELP.UBER.COM", "uber"),
        ("POS PURCHASE TESCO STORES 3321 LONDON GB", "tesco stores"),
        ("Marks & Spencer", "marks and spencer"),
        ("Café Nero", "cafe nero"),
    ],
)
def test_the_banks_spellings_of_a_merchant_come_to_its_key(raw: str, key: str) -> None:
    assert normalise(raw).key == key


def test_the_card_shows_the_merchant_as_written_and_a_line_in_capitals_softened() -> None:
    assert normalise("Figma Inc").name == "Figma"
    assert normalise("SQ *BLUE BOTTLE COFFEE #0412 SAN FRANCISCO CA").name == "Blue Bottle Coffee"
    assert normalise("AWS EMEA").name == "AWS Emea"


def test_a_line_of_nothing_but_a_suffix_or_a_number_is_kept_rather_than_emptied() -> None:
    assert normalise("Ltd").key == "ltd"
    assert normalise("12345").key == "12345"
    assert normalise("Singapore").key == "singapore"
    assert normalise("").key == ""


def test_a_legal_form_or_place_inside_the_name_is_kept() -> None:
    assert normalise("Singapore Airlines").key == "singapore airlines"
    assert normalise("Co-op Food 221").key == "co op food"
    assert normalise("Inc Magazine").key == "inc magazine"


def test_same_merchant_takes_a_longer_name_and_refuses_another_merchant() -> None:
    assert same_merchant("figma", "figma")
    assert same_merchant("figma", "figma design")
    assert same_merchant("blue bottle coffee", "blue bottle cofee")
    assert not same_merchant("figma", "canva")
    assert not same_merchant("", "figma")
