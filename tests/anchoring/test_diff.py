"""The review view's word diff: pieces that give back both texts exactly."""

from hypothesis import given
from hypothesis import strategies as st

from annotations.anchoring import Piece, new_text, old_text, word_diff


def test_a_changed_word_is_deleted_then_inserted_and_the_rest_is_kept():
    assert word_diff("Troops arrived on 6 January.", "Troops arrived on 7 January.") == [
        Piece("same", "Troops arrived on "),
        Piece("deleted", "6"),
        Piece("inserted", "7"),
        Piece("same", " January."),
    ]


def test_an_added_paragraph_is_one_insertion():
    assert word_diff("One.", "One.\n\nTwo.") == [
        Piece("same", "One."),
        Piece("inserted", "\n\nTwo."),
    ]


def test_nothing_to_something_and_back():
    assert word_diff("", "New text") == [Piece("inserted", "New text")]
    assert word_diff("Old text", "") == [Piece("deleted", "Old text")]
    assert word_diff("", "") == []


@given(st.text(), st.text())
def test_the_pieces_give_back_both_texts(old, new):
    pieces = word_diff(old, new)
    assert old_text(pieces) == old
    assert new_text(pieces) == new
    assert all(piece.text for piece in pieces)
