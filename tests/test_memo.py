"""Values kept for the objects given last, and dropped when others come."""

from seqimg.memo import KeptForLast


def test_a_value_is_made_once_while_the_same_objects_come_and_again_for_others():
    made = []
    kept = KeptForLast()
    first, equal_but_other = [1, 2], [1, 2]

    def make(tag):
        return lambda: made.append(tag) or len(made)

    assert kept.get((first,), "a", make("a")) == 1
    assert kept.get((first,), "a", make("again")) == 1 and made == ["a"]
    assert kept.get((first,), "b", make("b")) == 2  # another key, made
    # an equal list that is another object is another question
    assert kept.get((equal_but_other,), "a", make("other")) == 3 and made[-1] == "other"
    assert kept.get((first,), "a", make("back")) == 4  # the first list's values were dropped
