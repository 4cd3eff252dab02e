"""Places: the gazetteer, spellings, suffixes, names inside organisations, disambiguation,
foreign places, Hangul, roles, and which place an event takes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nkwatch.model import PlaceMention
from nkwatch.nlp.geo.assign import PlaceAssignment, place_for_span, report_place
from nkwatch.nlp.geo.gazetteer import load
from nkwatch.nlp.geo.names import dprk_official, fold, south_form, split_hangul
from nkwatch.nlp.pipeline import annotate, build, make_doc
from nkwatch.nlp.sentences import sentence_offsets

ROOT = Path(__file__).resolve().parents[1]
GAZ = load()


def mentions(text: str) -> list[PlaceMention]:
    return annotate(text, None)._.places


def only(text: str) -> PlaceMention:
    found = [m for m in mentions(text) if m.level != "country"]
    assert len(found) == 1, [(m.text, m.unit) for m in found]
    return found[0]


def where(text: str, quote: str) -> PlaceAssignment:
    doc = annotate(text, None)
    start = text.index(quote)
    return place_for_span(
        doc._.places, sentence_offsets(doc), start, start + len(quote), text=text,
        report=doc._.report_place,
    )  # fmt: skip


# -- the gazetteer -----------------------------------------------------------------------------


def test_gazetteer_has_every_province_and_second_level_unit() -> None:
    provinces = {u.id for u in GAZ.units.values() if u.level == "admin1"}
    assert provinces == {f"KP-{n:02d}" for n in (*range(1, 11), 13, 14, 15)}
    keys = [
        line.split("\t")[:2]
        for line in (ROOT / "data" / "geo" / "admin2.tsv").read_text("utf-8").splitlines()[1:]
    ]
    for admin1, hangul in keys:
        unit = GAZ.units[f"{admin1}:{hangul}"]
        assert (unit.admin1, unit.admin2, unit.parent) == (admin1, hangul, admin1)
        assert unit.lat is not None and 37.5 < unit.lat < 43.1 and 124 < (unit.lon or 0) < 131
    assert len(keys) == 197


def test_towns_and_localities_sit_in_their_county() -> None:
    namyang = [u for u in GAZ.units.values() if u.level == "locality" and u.name == "Namyang"]
    assert [(u.admin1, u.admin2) for u in namyang] == [("KP-09", "온성군")]
    assert GAZ.units["KP-09:청진시:수남구역"].parent == "KP-09:청진시"
    assert GAZ.units["KP-10"].lat == GAZ.units["KP-10:혜산시"].lat  # a province's point: capital


def test_polygons_cover_counties_and_dissolved_provinces() -> None:
    data = json.loads((ROOT / "src/nkwatch/data/gazetteer/polygons.geojson").read_text("utf-8"))
    levels = [f["properties"]["level"] for f in data["features"]]
    assert levels.count("admin2") == 197 and levels.count("admin1") == 13
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in data["features"])


def test_shipped_gazetteer_is_what_the_build_script_makes() -> None:
    pytest.importorskip("ko_pron")
    pytest.importorskip("shapely")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_gazetteer.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_attribution_ships_with_the_data() -> None:
    text = (ROOT / "src/nkwatch/data/gazetteer/ATTRIBUTION.md").read_text("utf-8")
    for needed in (
        "OpenStreetMap contributors",
        "ODbL",
        "GeoNames",
        "Open Admin Data",
        "CC BY 4.0",
    ):
        assert needed in text


# -- spelling rules ----------------------------------------------------------------------------


def test_fold_joins_the_romanization_systems() -> None:
    assert fold("P'yŏngsŏng") == fold("Pyeongseong") == fold("Phyongsong") == fold("Pyongsong")
    assert fold("Bocheon") == fold("Bochon")
    assert fold("Shinuiju") == fold("Sinŭiju")
    assert fold("Kim Jong Suk") != fold("Kimjongsuk")  # the person is not the county


def test_initial_sound_law_and_official_spellings() -> None:
    assert south_form("량강도") == "양강도" and south_form("녕변군") == "영변군"
    assert south_form("락원군") == "낙원군" and south_form("혜산시") == "혜산시"
    assert dprk_official("P'ungsŏ") == "Phungso"
    assert split_hangul("남포특급시") == ("남포", "special city")


@pytest.mark.parametrize(
    ("spellings", "admin2"),
    [
        (["Pungso", "P'ungsŏ", "Phungso", "Pungseo", "P’ungsŏ"], "풍서군"),
        (["Sakju", "Sakchu", "Sakch'u"], "삭주군"),
        (["Hoeryong", "Hoeryŏng", "Hoiryŏng", "Hoeryeong"], "회령시"),
        (["Sinuiju", "Sinŭiju", "Shinuiju"], "신의주시"),
        (["Kapsan", "Kabsan", "Gapsan"], "갑산군"),
        (["Bochon", "Pochon", "Bocheon", "Poch'ŏn"], "보천군"),
        (["Hamhung", "Hamheung", "Hamhŭng"], "함흥시"),
        (["Mangyongdae", "Mangyeongdae", "Man'gyŏngdae"], "만경대구역"),
        (["Nyongbyon", "Yongbyon", "Yeongbyeon"], "녕변군"),
    ],
)
def test_spelling_families_resolve_to_one_county(spellings: list[str], admin2: str) -> None:
    for spelling in spellings:
        m = only(f"Agents searched homes in {spelling} on Monday.")
        assert m.admin2 == admin2, spelling


@pytest.mark.parametrize(
    "spelling", ["Ryanggang", "Yanggang", "Ryanggang-do", "Yanggang Province", "량강도", "양강도"]
)
def test_province_spellings(spelling: str) -> None:
    m = only(f"Reports from {spelling} describe it.")
    assert (m.admin1, m.admin2, m.precision) == ("KP-10", None, "province")


# -- suffixes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "surface", "admin2"),
    [
        ("in Hyesan City last week", "Hyesan City", "혜산시"),
        ("in Hyesan-si last week", "Hyesan-si", "혜산시"),
        ("in Kapsan-gun last week", "Kapsan-gun", "갑산군"),
        ("in Onsong County last week", "Onsong County", "온성군"),
        ("in hyesan city", None, None),
    ],
)
def test_suffixes_join_the_mention(text: str, surface: str | None, admin2: str | None) -> None:
    found = mentions(text)
    if surface is None:
        assert found == []  # lower-case words are not names
        return
    (m,) = found
    assert (m.text, m.admin2) == (surface, admin2)


def test_a_suffix_settles_a_city_over_its_province() -> None:
    assert only("in Rason City").unit == "KP-13:라선시"
    assert only("the Rason Special City authorities").admin1 == "KP-13"
    assert only("in Rason").admin2 == "라선시"  # the more specific unit of the same place
    assert only("in Pyongyang").unit == "KP-01"  # a city with no county of its own name


def test_names_that_need_a_suffix() -> None:
    assert mentions("Kim Jong Suk was Kim Il Sung's first wife.") == []
    assert only("a market in Kim Jong Suk County").admin2 == "김정숙군"
    assert only("a market in Kimjongsuk").admin2 == "김정숙군"
    assert mentions("the Chollima speed campaign") == []
    assert mentions("Chung said the order was new.") == []


# -- inside organisation names and possessives -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "admin1", "admin2"),
    [
        ("the Yanggang Province branch of the Ministry of State Security", "KP-10", None),
        ("the Hyesan City Party Committee held a meeting", "KP-10", "혜산시"),
        ("the North Hamgyong Province MSS held a meeting", "KP-09", None),
        ("the North Hamgyong Provincial State Security Department", "KP-09", None),
        ("the Ryanggang provincial security department", "KP-10", None),
        ("Ryanggang's border guards", "KP-10", None),
        ("the Sinuiju-based trading company", "KP-03", "신의주시"),
        ("혜산시당위원회는 회의를 열었다", "KP-10", "혜산시"),
    ],
)
def test_places_inside_organisation_names(text: str, admin1: str, admin2: str | None) -> None:
    m = only(text)
    assert (m.admin1, m.admin2) == (admin1, admin2)


# -- disambiguation ----------------------------------------------------------------------------


def test_two_unsans_need_context() -> None:
    alone = only("Agents raided homes in Unsan.")
    assert alone.unit is None and alone.how == "ambiguous"
    assert set(alone.candidates) == {"KP-03:운산군", "KP-02:은산군"}
    north = [m for m in mentions("Agents raided homes in Unsan, North Pyongan Province.")]
    assert north[0].admin2 == "운산군" and north[0].how == "sentence"
    text = "South Pyongan Province has new rules.\n\nAgents raided homes in Unsan."
    unsan = next(m for m in mentions(text) if m.text == "Unsan")
    assert (unsan.admin2, unsan.how) == ("은산군", "report")


def test_names_shared_with_south_korea() -> None:
    assert only("Security agents in Gangwon Province arrested two men.").admin1 == "KP-07"
    kosong = only("a farm in Kosong County")
    assert (kosong.admin1, kosong.admin2) == ("KP-07", "고성군")
    south = [m for m in mentions("She settled in Gangwon Province in South Korea.")]
    assert south[0].country == "KR" and south[0].admin1 is None


def test_regions_are_not_units() -> None:
    for text in ("the border region", "along the Sino-North Korean border", "the Tumen River"):
        (m,) = mentions(text)
        assert m.level == "region" and m.admin1 is None, text
    hamgyong = only("traders in Hamgyong say")
    assert (hamgyong.level, hamgyong.admin1) == ("region", None)
    assert only("in North Hamgyong").admin1 == "KP-09"
    (country,) = mentions("North Korea closed the border.")
    assert (country.level, country.admin1) == ("country", None)


@pytest.mark.parametrize("name", ["Seoul", "Dandong", "Yanji", "Changbai", "Hunchun", "Tumen"])
def test_foreign_places_never_resolve_to_north_korea(name: str) -> None:
    m = only(f"The broker lived in {name} for years.")
    assert m.country != "KP" and m.admin1 is None and m.admin2 is None


def test_hangul_mentions() -> None:
    found = mentions("양강도 혜산시에서 인민반 회의가 열렸다. 함경북도 회령에서도.")
    assert [(m.text, m.admin1, m.admin2) for m in found] == [
        ("양강도", "KP-10", None),
        ("혜산시", "KP-10", "혜산시"),
        ("함경북도", "KP-09", None),
        ("회령", "KP-09", "회령시"),
    ]


# -- roles and the place of an event -----------------------------------------------------------


def test_roles_of_source_and_origin() -> None:
    roles = {
        "A source in Ryanggang Province said agents came.": "source",
        "A Hyesan-based source said agents came.": "source",
        "A woman from Uiju was arrested.": "origin",
        "An inspection group sent from Pyongyang arrived.": "origin",
        "Agents in Hyesan arrested him.": "event",
    }
    for text, role in roles.items():
        assert next(m.role for m in mentions(text) if m.admin1) == role, text


def test_event_takes_the_place_of_its_quote_then_sentence_then_context() -> None:
    text = (
        "A source in Ryanggang Province said agents raided homes in Hyesan on Monday. "
        "They seized 12 phones.\n\n"
        "In Kapsan County, inminban meetings were held. Residents were told to surrender phones."
    )
    assert where(text, "agents raided homes in Hyesan").admin2 == "혜산시"
    seized = where(text, "They seized 12 phones")
    assert (seized.admin2, seized.source) == ("혜산시", "context")
    told = where(text, "Residents were told to surrender phones")
    assert (told.admin2, told.source) == ("갑산군", "context")


def test_origin_does_not_place_an_event() -> None:
    text = "Agents in Sinuiju arrested a woman from Uiju on Monday."
    assert where(text, "Agents in Sinuiju arrested a woman from Uiju").admin2 == "신의주시"
    text = "A woman from Uiju was arrested on Monday."
    assert where(text, "A woman from Uiju was arrested").admin1 is None


def test_a_county_beside_its_province_places_the_event_in_the_county() -> None:
    text = "State security agents in Onsong County, North Hamgyong Province, arrested a broker."
    assert where(text, "arrested a broker").admin2 == "온성군"
    text = "Residents of Pyongyang's Mangyeongdae District sat through study sessions."
    assert where(text, "sat through study sessions").admin2 == "만경대구역"


def test_event_across_two_counties_gets_its_province() -> None:
    text = "Agents searched homes in Hyesan and Kapsan last week."
    found = where(text, "Agents searched homes in Hyesan and Kapsan")
    assert (found.admin1, found.admin2) == ("KP-10", None)


def test_in_the_province_means_the_province_not_a_county() -> None:
    text = (
        "The Ryanggang Provincial Party Committee met in Hyesan on Monday. "
        "It ordered lectures in every factory in the province."
    )
    found = where(text, "ordered lectures in every factory in the province")
    assert (found.admin1, found.admin2, found.source) == ("KP-10", None, "anaphora")


def test_national_events_and_regions_give_no_province() -> None:
    text = "North Korea ordered its border with China closed in January."
    assert where(text, "North Korea ordered its border with China closed").admin1 is None
    assert where("Smuggling rose in the border region.", "Smuggling rose").admin1 is None


def test_report_place_is_the_dominant_province_and_county() -> None:
    text = "Agents in Hyesan seized phones. In Hyesan, meetings were held. Ryanggang is cold."
    main = report_place(mentions(text))
    assert (main.admin1, main.admin2) == ("KP-10", "혜산시")
    split = report_place(mentions("Agents in Hyesan and in Chongjin and in Sinuiju."))
    assert split.admin1 is None


def test_component_sets_places_on_the_doc() -> None:
    nlp = build()
    assert nlp.pipe_names.index("nkwatch_places") > nlp.pipe_names.index("sentencizer")
    doc = nlp(make_doc(nlp, "Agents in Hyesan seized phones.", None))
    assert [m.admin2 for m in doc._.places] == ["혜산시"]
    assert doc._.report_place.admin1 == "KP-10"
    m = doc._.places[0]
    assert doc.text[m.start : m.end] == m.text == "Hyesan"
    assert m.as_dict()["precision"] == "county" and m.lat and m.lon


# -- the store and the commands ----------------------------------------------------------------


def test_store_keeps_places_and_replaces_them(tmp_path: Path) -> None:
    import sqlite3

    from nkwatch.ingest import ingest
    from nkwatch.store import open as open_store
    from nkwatch.store.schema import MIGRATIONS
    from nkwatch.store.sqlite import _split_sql

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in _split_sql(MIGRATIONS[0][1]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    report = tmp_path / "r.txt"
    report.write_text("Agents in Hyesan seized phones from a woman from Uiju.\n", "utf-8")
    with open_store(str(path)) as store:  # a version-1 database is migrated
        assert store.schema_version >= 2
        ingest(store, [str(report)])
        doc = store.get("r")
        found = mentions(doc.body)
        store.save_places(doc.id, found, GAZ.version)
        assert store.places_of(doc.id) == found
        store.save_places(doc.id, found[:1], GAZ.version)
        assert [m.text for m in store.places_of(doc.id)] == ["Hyesan"]
        with pytest.raises(Exception, match="no report"):
            store.save_places(999, found, GAZ.version)


def test_places_and_eval_places_commands(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from nkwatch.cli import app

    runner = CliRunner()
    report = tmp_path / "r.txt"
    report.write_text("A source in Ryanggang Province said agents in Hyesan seized phones.\n")
    db = str(tmp_path / "n.db")
    assert runner.invoke(app, ["--db", db, "ingest", str(report)]).exit_code == 0
    result = runner.invoke(app, ["--db", db, "places", "r", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(p["text"], p["role"], p["admin2"]) for p in data["places"]] == [
        ("Ryanggang Province", "source", None),
        ("Hyesan", "event", "혜산시"),
    ]
    assert data["report_place"] == {"admin1": "KP-10", "admin2": "혜산시"}
    result = runner.invoke(app, ["--db", db, "places", "r"])
    assert "Hyesan City" in result.stdout and "source" in result.stdout

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Agents in Hyesan seized phones. A lecture was held in Chongjin.\n", "utf-8"
    )
    gold = {
        "doc_id": "a", "language": "en", "events": [
            {"type": "CONFISCATION", "evidence": "Agents in Hyesan seized phones",
             "admin1": "KP-10", "admin2": "혜산시"},
            {"type": "INDOCTRINATION", "evidence": "A lecture was held in Chongjin",
             "admin1": "KP-10", "admin2": "혜산시"},
        ],
    }  # fmt: skip
    (corpus / "gold.jsonl").write_text(json.dumps(gold) + "\n", "utf-8")
    result = runner.invoke(app, ["eval", "places", str(corpus), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["admin1"]["correct"], summary["admin1"]["events"]) == (1, 2)
    result = runner.invoke(app, ["eval", "places", str(corpus), "--errors"])
    assert "wrong unit (span)" in result.stdout and "0.500" in result.stdout
