"""The indexed territory is cached between starts; a broken or stale cache is never trusted."""

from bot.nlu.normalize import normalize
from bot.territory.territory import Territory, _cache_key


def test_second_start_reads_the_cache_and_finds_the_same_places(tmp_path):
    first = Territory.load(cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.pickle"))) == 1
    second = Territory.load(cache_dir=tmp_path)
    for text in ("je suis a brest", "29200", "cress occitanie", "j habite a saint etienne"):
        assert second.find(normalize(text)) == first.find(normalize(text))
    assert second.cress_card("53") == first.cress_card("53")


def test_broken_cache_is_rebuilt_from_the_files(tmp_path):
    from bot.territory.territory import KNOWLEDGE_DIR

    (tmp_path / f"{_cache_key(KNOWLEDGE_DIR)}.pickle").write_bytes(b"not a pickle")
    territory = Territory.load(cache_dir=tmp_path)
    assert territory.find(normalize("je suis a brest")).candidates[0].code == "29019"


def test_changed_geography_gets_a_new_cache_key(tmp_path):
    knowledge = tmp_path / "knowledge"
    (knowledge / "geo").mkdir(parents=True)
    (knowledge / "organisations").mkdir()
    from bot.territory.territory import CRESS_FILE, GEO_FILE, KNOWLEDGE_DIR

    (knowledge / GEO_FILE).write_bytes((KNOWLEDGE_DIR / GEO_FILE).read_bytes())
    (knowledge / CRESS_FILE).write_bytes((KNOWLEDGE_DIR / CRESS_FILE).read_bytes())
    before = _cache_key(knowledge)
    (knowledge / GEO_FILE).write_bytes((KNOWLEDGE_DIR / GEO_FILE).read_bytes() + b"\n")
    assert _cache_key(knowledge) != before
