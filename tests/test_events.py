"""Event extraction on hand-built reports: each type, modality cues, negation, restatements,
arguments across clauses, counts, penalties, laws, tone; and the component."""

from __future__ import annotations

import pytest

from nkwatch.model import Event
from nkwatch.nlp.extraction.extract import clauses
from nkwatch.nlp.extraction.lexicon import TYPES
from nkwatch.nlp.pipeline import annotate, build


def events(text: str, published: str | None = "2022-01-20") -> list[Event]:
    return annotate(text, published)._.events


def one(text: str, etype: str, published: str | None = "2022-01-20") -> Event:
    found = [e for e in events(text, published) if e.type == etype]
    assert len(found) == 1, [(e.type, e.evidence) for e in events(text, published)]
    return found[0]


@pytest.mark.parametrize(
    ("etype", "text"),
    [
        ("DIRECTIVE", "The provincial MSS handed down an order to its county branches on Monday."),
        ("MEETING", "The Hyesan City Party Committee held an emergency meeting on Friday."),
        ("INDOCTRINATION", "Workers at the steel complex were given a lecture on the order."),
        ("AMNESTY", "Officials said anyone who turns themselves in by March 1 will be forgiven."),
        ("CRACKDOWN", "Agents have been searching homes in riverside villages since January."),
        ("SURVEILLANCE", "Agents have begun using signal detectors mounted on vehicles."),
        ("ARREST", "State security agents arrested five phone users in Hyesan on Tuesday."),
        ("PUNISHMENT", "A court sentenced the broker to eight years of reform through labour."),
        ("CONFISCATION", "The agents confiscated her phone and 2,000 yuan in cash."),
        ("BRIBERY", "His family paid the agents 3,000 yuan to have him released."),
        (
            "LEGISLATION",
            "Under Article 222 of the Criminal Law, revised in 2015, such calls are a crime.",
        ),
        ("WARNING", "An official warned residents that there will be no mercy this time."),
        ("IMPACT", "Since the arrests, brokers in Hyesan have stopped taking calls."),
        ("DEFECTION", "Two women crossed the river into China last month."),
    ],
)
def test_each_type_is_found_with_its_quote(etype: str, text: str) -> None:
    e = one(text, etype)
    assert text[e.evidence_start : e.evidence_end] == e.evidence
    assert len(e.evidence) > 10


def test_every_type_has_a_case() -> None:
    assert len(TYPES) == 14


@pytest.mark.parametrize(
    ("text", "etype", "modality"),
    [
        ("Agents arrested three brokers in Musan on Monday.", "ARREST", "asserted"),
        ("The meeting called for offenders to be sent to labour camps.", "PUNISHMENT", "planned"),
        (
            "Officials warned that anyone caught would be sent to a labour camp.",
            "PUNISHMENT",
            "threatened",
        ),
        (
            "In 2016, dozens of users were sent to labour training camps.",
            "PUNISHMENT",
            "background",
        ),
        ("Border guards have long taken bribes from smugglers.", "BRIBERY", "background"),
        (
            "Under Article 222 of the Criminal Law, such calls bring up to five years.",
            "LEGISLATION",
            "background",
        ),
        ("An official warned that the party would no longer look on.", "WARNING", "threatened"),
    ],
)
def test_modality_cues(text: str, etype: str, modality: str) -> None:
    assert one(text, etype).modality == modality


@pytest.mark.parametrize(
    "text",
    [
        "No one has been arrested so far, the source said.",
        "None of those detained has been sentenced yet.",
        "So far no broker has been detained in Hyesan.",
        "Residents who give up their phones will not be punished.",
    ],
)
def test_negated_events_are_not_coded(text: str) -> None:
    types = {e.type for e in events(text)}
    assert not types & {"ARREST", "PUNISHMENT"}, types


def test_references_to_events_already_told_are_not_new_events() -> None:
    text = (
        "Agents arrested seven people in Hyesan on Monday. "
        "Since the arrests, brokers have stopped taking calls."
    )
    assert [e.type for e in events(text)] == ["ARREST", "IMPACT"]


def test_commentary_is_not_an_event() -> None:
    text = '"Arrests only make people hide their phones," said Kim Min-ji, a researcher in Seoul.'
    assert events(text) == []


def test_restatements_merge_into_one_event_with_also_quotes() -> None:
    text = (
        "Security officials in Hoeryong have promised to forgive residents who surrender their "
        "phones by July 31.\n\n"
        "Inminban heads read out the notice on Saturday.\n\n"
        "Residents were told they would be forgiven if they came forward before the deadline."
    )
    amnesty = [e for e in events(text, "2016-07-11") if e.type == "AMNESTY"]
    assert len(amnesty) == 1
    assert amnesty[0].also and amnesty[0].also[0][0].startswith("Residents were told")


def test_one_legislation_per_law_at_its_most_specific_statement() -> None:
    text = (
        "The trial was held under the Criminal Law. "
        "Article 222 of the Criminal Law, revised in 2015, provides for up to five years of "
        "reform through labour for illegal international communication."
    )
    (law,) = [e for e in events(text) if e.type == "LEGISLATION"]
    assert law.law == {"article": "222", "year": 2015}
    assert law.penalty == {"kind": "LABOR_CAMP", "max_years": 5}
    assert law.evidence.startswith("Article 222")


def test_several_events_in_one_sentence() -> None:
    text = (
        "Of those, 52 were sent to labour training camps and 19 were sentenced by courts to "
        "between two and five years of reform through labour."
    )
    found = [e for e in events(text) if e.type == "PUNISHMENT"]
    assert [(e.count, e.penalty) for e in found] == [
        (52, {"kind": "LABOR_BRIGADE", "max_years": None}),
        (19, {"kind": "LABOR_CAMP", "max_years": 5}),
    ]
    assert [e.actor for e in found] == ["AUTHORITIES", "COURT"]


def test_actor_and_target_normalization() -> None:
    cases = {
        "State security agents arrested three phone users on Monday.": ("MSS", "PHONE_USERS"),
        "Bowibu agents detained two brokers on Monday.": ("MSS", "BROKERS"),
        "Safety agents detained four students who watched South Korean dramas.": (
            "MSoS",
            "MEDIA_CONSUMERS",
        ),
        "Three smugglers were arrested on Monday.": ("AUTHORITIES", "SMUGGLERS"),
        "A joint inspection group detained ten traders on Friday.": ("TASK_FORCE", "SMUGGLERS"),
    }
    for text, (actor, target) in cases.items():
        e = one(text, "ARREST")
        assert (e.actor, e.target) == (actor, target), text


def test_arguments_link_across_clauses() -> None:
    text = (
        "The county MSS told inminban heads on Monday that anyone found with a phone "
        "would be banished to a remote farm."
    )
    e = one(text, "PUNISHMENT")
    assert (e.modality, e.actor, e.penalty) == (
        "threatened", "MSS", {"kind": "BANISHMENT", "max_years": None},
    )  # fmt: skip
    text = (
        "The Onsong County Party Committee held a meeting on Friday. "
        "They told residents that anyone caught would be sent to a labour camp."
    )
    assert one(text, "PUNISHMENT").actor == "PARTY"


@pytest.mark.parametrize(
    ("text", "etype", "actor"),
    [
        # "the squad" is the body named earlier with the same noun, not the last one named.
        (
            "A joint inspection squad made up of officials from the party, state security and the "
            "police arrived in Kaesong. The squad has seized 20 USB sticks.",
            "CONFISCATION",
            "TASK_FORCE",
        ),
        (
            "The county State Security Department sent two signal-detection squads to Musan. "
            "The squads arrested four brokers on Tuesday.",
            "ARREST",
            "MSS",
        ),
        # A pronoun subject is whoever was named last.
        (
            "Border guards in Hyesan held a lecture for residents on Monday. "
            "They warned that anyone who crosses will be caught.",
            "WARNING",
            "BORDER_GUARD",
        ),
        # "officials from X" are X; "agents" alone are any officials.
        (
            "At a meeting of inminban heads on Monday, officials from the Hoeryong City State "
            "Security Department said that phone users would be sent to a labour camp.",
            "PUNISHMENT",
            "MSS",
        ),
        ("Agents of the provincial MSS detained three brokers on Friday.", "ARREST", "MSS"),
        # A meeting's audience and people told something do not act.
        (
            "At a meeting of inminban heads, residents were told that anyone who hands in a phone "
            "will be forgiven.",
            "AMNESTY",
            "AUTHORITIES",
        ),
        # Who was ordered does what was ordered; an order naming no body: the authorities.
        (
            "The Hyesan City Party Committee instructed inminban heads to report any household "
            "that receives calls from China.",
            "SURVEILLANCE",
            "INMINBAN",
        ),
        (
            "The provincial party committee ordered every school to check students' phones once a "
            "week.",
            "CRACKDOWN",
            "AUTHORITIES",
        ),
        (
            "An MSS official told the crowd that anyone who sells out the country to the enemy "
            "would be sent to a labour camp.",
            "PUNISHMENT",
            "MSS",
        ),
        # Who pays a bribe acts; the ones paid are named after the trigger.
        (
            "His wife tried to pay the agents 10,000 yuan to have him released.",
            "BRIBERY",
            "RESIDENTS",
        ),
        # Triggers that name their actor.
        ("The agent was expelled from the party on Monday.", "PUNISHMENT", "PARTY"),
        ("Inminban meetings were held across Hyesan on Tuesday.", "MEETING", "INMINBAN"),
        # "have been searching": the agents search (progressive, not passive).
        (
            "State security agents in Wonsan have been searching homes since early April.",
            "CRACKDOWN",
            "MSS",
        ),
        # "without trial": no court.
        (
            "Three of those arrested were sent to a labour training camp without trial.",
            "PUNISHMENT",
            "AUTHORITIES",
        ),
        ("Three men received terms of seven to ten years.", "PUNISHMENT", "COURT"),
    ],
)
def test_actor_of_the_clause(text: str, etype: str, actor: str) -> None:
    assert one(text, etype).actor == actor


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Agents arrested approximately 80 people in Hyesan.", 80),
        ("Agents arrested at least five residents in Hyesan.", 5),
        ("Agents arrested dozens of people in Hyesan.", None),
        ("Agents arrested a man in Hyesan.", None),
        ("Agents arrested a dozen users in Hyesan.", 12),
    ],
)
def test_counts_are_people_stated_in_the_sentence(text: str, count: int | None) -> None:
    assert one(text, "ARREST").count == count


@pytest.mark.parametrize(
    ("text", "penalty"),
    [
        (
            "A court sentenced him to eight years in a reform-through-labour camp.",
            ("LABOR_CAMP", 8),
        ),
        ("He was sent to a labour training unit for six months.", ("LABOR_BRIGADE", 0.5)),
        ("The man was executed by firing squad on Monday.", ("EXECUTION", None)),
        ("Three families were banished to remote mountain villages.", ("BANISHMENT", None)),
        ("The court fined the parents 500,000 won each.", ("FINE", None)),
        ("He was expelled from the party this month.", ("PARTY_EXPULSION", None)),
    ],
)
def test_penalties_with_kind_and_maximum_years(
    text: str, penalty: tuple[str, float | None]
) -> None:
    e = one(text, "PUNISHMENT")
    assert e.penalty == {"kind": penalty[0], "max_years": penalty[1]}


def test_laws_tied_to_events() -> None:
    text = "The court sentenced the broker under Article 222 of the Criminal Law last week."
    assert one(text, "PUNISHMENT").law == {"article": "222", "year": None}
    text = "Agents arrested the broker last week."
    assert one(text, "ARREST").law is None
    text = "The Reactionary Ideology and Culture Rejection Act allows up to 15 years."
    assert one(text, "LEGISLATION").law == {"article": None, "year": 2020}


def test_place_and_time_come_from_the_earlier_stages() -> None:
    text = (
        "A source in Ryanggang Province said agents raided homes in Hyesan on Tuesday. "
        "They seized 12 phones."
    )
    raid = one(text, "CRACKDOWN")
    assert (raid.admin1, raid.admin2, raid.place) == ("KP-10", "혜산시", "Hyesan")
    assert raid.when is not None and raid.when.start == "2022-01-18"
    seized = one(text, "CONFISCATION")
    assert seized.admin2 == "혜산시" and seized.place_source == "context"


def test_planned_events_are_dated_by_the_order() -> None:
    text = (
        "On Monday, the provincial MSS ordered its branches to send anyone caught "
        "from February to a labour camp."
    )
    e = one(text, "PUNISHMENT", "2022-01-20")
    assert e.modality == "planned" and e.when is not None and e.when.start == "2022-01-17"


def test_a_penalty_the_text_dates_itself_keeps_its_date() -> None:
    text = (
        "On Monday, officials said the three members of the man's family are to be banished "
        "to a remote mountain village next month."
    )
    e = one(text, "PUNISHMENT", "2022-01-20")
    assert e.when is not None and (e.when.start, e.when.precision) == ("2022-02-01", "month")


def test_the_lede_is_dated_by_the_detail_that_follows() -> None:
    text = (
        "State security agents in Hyesan have arrested at least seven people for using "
        "Chinese phones, a source said.\n\n"
        "On January 12, agents arrested two phone users near the river."
    )
    lede = next(e for e in events(text, "2022-01-20") if e.type == "ARREST")
    assert lede.when is not None and lede.when.start == "2022-01-12"
    assert lede.when_source == "detail"


def test_reactions_and_comparisons_are_not_dated_by_their_context() -> None:
    text = (
        "Agents raided homes in Hyesan on Monday. Brokers now take 50 percent of every "
        "transfer, up from 30 percent last autumn. Some residents have buried their phones."
    )
    impacts = [e for e in events(text, "2022-01-20") if e.type == "IMPACT"]
    assert impacts and all(e.when is None for e in impacts), [(e.evidence, e.when) for e in impacts]


def test_tone() -> None:
    def tone_of(text: str) -> str:
        return str(annotate(text, "2022-01-20")._.tone.label)

    coercive = (
        "Agents arrested five users on Monday. Officials warned that anyone caught would be "
        "sent to a labour camp."
    )
    inducing = "Officials promised that anyone who surrenders a phone by March 1 will be forgiven."
    assert tone_of(coercive) == "COERCION"
    assert tone_of(inducing) == "INDUCEMENT"
    assert tone_of(inducing + " " + coercive) == "MIXED"
    assert tone_of("Rice prices rose in Haeju last week.") == "NONE"


def test_clauses_split_at_new_subjects() -> None:
    text = "Agents arrested five people, and the rest were released; prices rose."
    parts = [text[s:e] for s, e in clauses(text, 0, len(text))]
    assert parts == ["Agents arrested five people", "the rest were released", "prices rose"]


def test_component_sets_events_and_tone() -> None:
    nlp = build()
    assert nlp.pipe_names[-1] == "nkwatch_events"
    doc = annotate("Agents arrested five phone users in Hyesan on Tuesday.", "2022-01-20")
    (e,) = doc._.events
    record = e.as_gold()
    assert set(record) >= {"type", "modality", "actor", "target", "place", "admin1", "admin2",
                           "when", "count", "penalty", "law", "evidence"}  # fmt: skip
    assert record["when"] == {"start": "2022-01-18", "end": "2022-01-18", "precision": "day"}
    assert doc._.tone.label == "COERCION"


def test_extract_is_incremental_and_events_filter(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from nkwatch.cli import app

    runner = CliRunner()
    db = str(tmp_path / "n.db")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "a.txt").write_text(
        "State security agents arrested five phone users in Hyesan on Tuesday.\n", "utf-8"
    )
    (tmp_path / "r" / "b.txt").write_text(
        "The Onsong County Party Committee held an emergency meeting on Friday.\n", "utf-8"
    )
    assert runner.invoke(app, ["--db", db, "ingest", str(tmp_path / "r"),
                               "--published", "2022-01-20"]).exit_code == 0  # fmt: skip
    result = runner.invoke(app, ["--db", db, "extract", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["analysed"] == 2
    again = json.loads(runner.invoke(app, ["--db", db, "extract", "--json"]).stdout)
    assert again["analysed"] == 0  # nothing new
    redo = json.loads(runner.invoke(app, ["--db", db, "extract", "--reprocess", "--json"]).stdout)
    assert redo["analysed"] == 2
    out = runner.invoke(app, ["--db", db, "events", "--json"]).stdout
    listed = json.loads(out)["events"]
    assert {(e["ext_id"], e["type"]) for e in listed} == {("a", "ARREST"), ("b", "MEETING")}
    filtered = json.loads(runner.invoke(
        app, ["--db", db, "events", "--province", "KP-10", "--type", "arrest",
              "--since", "2022-01-18", "--until", "2022-01-18", "--actor", "mss", "--json"],
    ).stdout)["events"]  # fmt: skip
    assert [(e["ext_id"], e["count"], e["evidence"][:12]) for e in filtered] == [
        ("a", 5, "State securi")
    ]
    assert json.loads(runner.invoke(
        app, ["--db", db, "events", "--since", "2022-01-19", "--type", "ARREST", "--json"]
    ).stdout)["events"] == []  # fmt: skip
    bad = runner.invoke(app, ["--db", db, "events", "--type", "PARADE"])
    assert bad.exit_code != 0
    table = runner.invoke(app, ["--db", db, "events"]).stdout
    assert "ARREST" in table and "MEETING" in table


def test_keyword_prefilter_never_drops_a_trigger() -> None:
    """The keywords of data/events.toml must be a superset of what the triggers need: on every
    clause of the reports at hand, triggers with and without the prefilter agree."""
    from pathlib import Path

    from nkwatch.nlp.extraction.extract import _triggers
    from nkwatch.nlp.extraction.lexicon import load
    from nkwatch.nlp.sentences import sentence_offsets

    from .conftest import DEV_CORPUS

    root = Path(__file__).resolve().parents[1]
    folders = [root / "examples" / "reports"] + ([DEV_CORPUS] if DEV_CORPUS.is_dir() else [])
    texts = [p.read_text("utf-8") for f in folders for p in sorted(f.glob("*.txt"))]
    texts.append(Path(__file__).read_text("utf-8"))  # the sentences of these tests
    lex = load()
    checked = 0
    for text in texts:
        doc = annotate(text, None)
        for s_start, s_end in sentence_offsets(doc):
            for c_start, c_end in clauses(text, s_start, s_end):
                fast = _triggers(text, c_start, c_end, lex)
                full = _triggers(text, c_start, c_end, lex, prefilter=False)
                assert {k: v.start() for k, v in fast.items()} == {
                    k: v.start() for k, v in full.items()
                }, text[c_start:c_end]
                checked += len(full)
    assert checked > 50


def test_the_day_a_source_spoke_does_not_date_the_event() -> None:
    text = "Agents arrested five brokers in Hyesan, a source told Korea Field Report on Wednesday."
    e = one(text, "ARREST")
    assert e.when is None or e.when.start != "2022-01-19"
    text = "Agents arrested five brokers last week, a source told Korea Field Report on Wednesday."
    e = one(text, "ARREST")
    assert e.when is not None and (e.when.start, e.when.precision) == ("2022-01-10", "week")


def test_confidence_ranks_direct_statements_higher() -> None:
    direct = one("State security agents arrested five users in Hyesan on Tuesday.", "ARREST")
    vague = one("Some were detained.", "ARREST", None)
    assert direct.confidence > vague.confidence


def test_the_target_of_a_bribe_and_of_a_price_change() -> None:
    # Who pays acts on the officials paid; a price change affects the population.
    bribe = one("Smugglers pay the guards a few hundred yuan and go home.", "BRIBERY")
    assert (bribe.actor, bribe.target) == ("RESIDENTS", "OFFICIALS")
    rise = one("Prices of Chinese goods in Manpo's market have risen by a fifth.", "IMPACT")
    assert (rise.actor, rise.target) == (None, "RESIDENTS")


@pytest.mark.parametrize(
    ("text", "etype", "count"),
    [
        # A year and a comma are not a number of people.
        (
            "The last execution took place in 2018, when two men were shot for smuggling.",
            "PUNISHMENT",
            2,
        ),
        ("At least seven of those who had confessed were detained last week.", "ARREST", 7),
        ("At least 20 were detained on Saturday alone.", "ARREST", 20),
        ("Two of his associates were sentenced at the same trial.", "PUNISHMENT", 2),
        # Families and households are not counts of people (§8.4).
        ("At least 14 families were loaded onto trucks and banished.", "PUNISHMENT", None),
    ],
)
def test_counts_of_people(text: str, etype: str, count: int | None) -> None:
    assert one(text, etype).count == count
