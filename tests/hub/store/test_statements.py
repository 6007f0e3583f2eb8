from hub.store.statements import chunks


def test_chunks_split_without_losing_or_repeating_values():
    values = list(range(1201))
    parts = list(chunks(values, 500))
    assert [len(p) for p in parts] == [500, 500, 201]
    assert [v for p in parts for v in p] == values
    assert list(chunks([], 500)) == []
