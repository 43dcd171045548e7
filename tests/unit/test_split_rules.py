"""split, the rest of its rules: file names and titles, what may be split, groups of criteria,
titles made from criteria, spikes, new stories, renumbering and the splitting suggestions,
each with the words a user reads. Stories in memory; the disk is off limits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from groom import split
from groom.errors import ConfigError, GroomError
from groom.model import REMOVE, Placement, Story
from tests.stories import CONFIG, backlog, no_disk, order, story

pytestmark = pytest.mark.usefixtures("no_disk")
__all__ = ["no_disk"]

FOUR = """As a shopper I want to use the list offline so that I can shop in the basement.

## Acceptance criteria
- [ ] Given no connection, when I open the list, then I see the last synced version
- [ ] Given no connection, when I tick an item, then it is kept
- [ ] Given the connection is back, then the ticks are synced
- [ ] Ticks survive a restart
"""
FOLDER = ("/nowhere/backlog", "backlog")


def parent(**fields: object) -> Story:
    data = {"status": "refining", "rank": "a1", "estimate": 20, "value": 8, "body": FOUR, **fields}
    return story("S-2", **data)  # type: ignore[arg-type]


def neighbours(*extra: Story) -> list[Placement]:
    return order(story("S-1", rank="a0"), parent(), story("S-3", rank="a2"), *extra)


def refused(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(GroomError) as error:
        call(*args, **kwargs)  # type: ignore[operator]
    return error.value.message


# ---------------------------------------------------------------------------------------
# names and titles


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Crème brûlée: export!", "S-4-creme-brulee-export.md"),
        ("../../etc/passwd", "S-4-etc-passwd.md"),
        (".hidden", "S-4-hidden.md"),
        ("!!!", "S-4.md"),
        ("Ünïcödé ✓ 日本", "S-4-unicode.md"),
        ("a" * 40, f"S-4-{'a' * 40}.md"),
        ("a" * 41, "S-4.md"),
        ("one two three four five six seven eight nine ten", "S-4-one-two-three-four-five-six-seven-eight.md"),
    ],
)
def test_a_file_name_is_the_id_and_a_short_ascii_slug_of_the_title(title: str, name: str) -> None:
    assert split.file_name("S-4", title) == name


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("", "a title cannot be empty"),
        (" \t\n ", "a title cannot be empty"),
        ("bell\x07", "a title cannot contain control characters (such as ESC or BEL); type it again"),
        ("del\x7f", "a title cannot contain control characters (such as ESC or BEL); type it again"),
        ("c1\x9b", "a title cannot contain control characters (such as ESC or BEL); type it again"),
        ("x" * 201, "a title is at most 200 characters; this one has 201"),
    ],
)
def test_a_title_that_cannot_be_used_is_refused_with_the_reason(title: str, words: str) -> None:
    assert refused(split.check_title, title) == words


def test_a_title_keeps_its_words_with_white_space_folded() -> None:
    assert split.check_title("x" * 200) == "x" * 200
    assert split.check_title(" Tabs\tand\nnewlines  fold ") == "Tabs and newlines fold"


# ---------------------------------------------------------------------------------------
# what may be split


def test_a_closed_story_is_not_split_and_gets_no_spike() -> None:
    for status in ("done", "split", "dropped"):
        closed = parent(status=status)
        words = f"S-2 is {status}; only open stories are split or get a spike"
        assert refused(split.plan_into, closed, ["A", "B"], neighbours(), [], CONFIG) == words
        assert refused(split.plan_spike, closed, "Find out", "2d", neighbours(), [], CONFIG) == words


def test_a_story_in_a_sprint_is_split_only_with_force_and_then_leaves_the_sprint() -> None:
    planned = parent(status="planned", sprint="2026-24")
    assert refused(split.plan_into, planned, ["A", "B"], neighbours(), [], CONFIG) == (
        "S-2 is planned in sprint 2026-24: splitting it takes it out of the sprint; pass --force to split it anyway"
    )
    assert refused(split.plan_into, parent(status="in-progress"), ["A", "B"], neighbours(), [], CONFIG) == (
        "S-2 is in-progress: splitting it takes it out of the sprint; pass --force to split it anyway"
    )
    plan = split.plan_into(planned, ["A", "B"], neighbours(), [], CONFIG, force=True)
    assert plan.changes == {"status": "split", "children": ["S-1", "S-2"], "sprint": REMOVE}
    ready = split.plan_into(parent(status="ready", sprint="2026-24"), ["A", "B"], neighbours(), [], CONFIG)
    assert "sprint" not in ready.changes  # not in the sprint yet: nothing to leave


def test_a_split_makes_at_least_two_stories() -> None:
    assert refused(split.plan_into, parent(), ["Only one"], neighbours(), [], CONFIG) == (
        "a split makes at least two stories; give --into twice or more"
    )


def test_children_are_added_to_the_children_the_parent_already_has() -> None:
    plan = split.plan_into(parent(children=["S-7"]), ["A", "B"], neighbours(), ["S-7"], CONFIG)
    assert plan.changes["children"] == ["S-7", "S-8", "S-9"]


def test_children_inherit_what_the_parent_says_and_nothing_it_leaves_empty() -> None:
    rich = parent(type="bug", time_criticality=3, risk_reduction=2, depends_on=["S-1"], epic=None, sprint="x")
    [first, _] = split.plan_into(rich, ["A", "B"], neighbours(), [], CONFIG).created
    assert first.fields == {
        "id": "S-1",
        "title": "A",
        "status": "draft",
        "type": "bug",
        "value": 8,
        "time_criticality": 3,
        "risk_reduction": 2,
        "depends_on": ["S-1"],
        "parent": "S-2",
        "rank": "a1G",
    }


def test_a_parent_without_a_valid_rank_gives_unranked_children() -> None:
    for rank in (None, "a-1"):
        plan = split.plan_into(parent(rank=rank), ["A", "B"], neighbours(), [], CONFIG)
        assert ["rank" in new.fields for new in plan.created] == [False, False]


def test_children_of_the_last_ranked_story_go_below_it() -> None:
    plan = split.plan_into(parent(rank="a2"), ["A", "B"], order(story("S-1", rank="a0")), [], CONFIG)
    assert [new.fields["rank"] for new in plan.created] == ["a3", "a4"]


def test_a_child_body_keeps_the_persona_and_benefit_and_says_where_it_came_from() -> None:
    [first, _] = split.plan_into(parent(), ["Show the list", "UI for ticks"], neighbours(), [], CONFIG).created
    assert first.body == (
        "As a shopper I want to show the list so that I can shop in the basement.\n\n"
        "Split from S-2 (Story S-2).\n\n## Acceptance criteria\n"
    )
    [_, second] = split.plan_into(parent(), ["Show the list", "UI for ticks"], neighbours(), [], CONFIG).created
    assert second.body.startswith("As a shopper I want “UI for ticks” so that")
    assert split._want("Show UI state") == "to show UI state"
    assert split._want("UI show") == "“UI show”"
    assert split._want("CSV export") == "“CSV export”"
    assert split._want("Export CSV") == "to export CSV"
    assert split._want("EXPORT all") == "to EXPORT all"
    anonymous = parent(body="Just some text.\n\n## Acceptance criteria\n- [ ] one\n- [ ] two\n")
    [child, _] = split.plan_into(anonymous, ["A", "B"], neighbours(), [], CONFIG).created
    assert child.body == "Split from S-2 (Story S-2).\n\n## Acceptance criteria\n"


# ---------------------------------------------------------------------------------------
# by criteria


@pytest.mark.parametrize(
    ("groups", "words"),
    [
        (["1", "x"], "--group 'x': give criterion numbers like 1,2"),
        (["1", "0"], "--group '0': S-2 has criteria 1 to 4"),
        (["1", "5"], "--group '5': S-2 has criteria 1 to 4"),
        (["1", ","], "--group ',': S-2 has criteria 1 to 4"),
        (["1,2", "2,3,4"], "a criterion is in two groups; each goes to one child"),
        (
            ["1", "2"],
            "criteria 3, 4 of S-2 are in no --group: every criterion goes to one child, or it would be left "
            "on no open story",
        ),
        (["1,2,3,4"], "a split makes at least two stories; give --group twice or more"),
    ],
)
def test_groups_of_criteria_are_checked(groups: list[str], words: str) -> None:
    assert refused(split.plan_by_criteria, parent(), groups, [], neighbours(), [], CONFIG) == words


def test_a_story_with_fewer_than_two_criteria_cannot_be_split_by_them() -> None:
    one = parent(body="As a cook I want a thing so that I get value.\n\n## Acceptance criteria\n- [ ] one\n")
    assert refused(split.plan_by_criteria, one, [], [], neighbours(), [], CONFIG) == (
        "S-2 has 1 acceptance criteria; --by-criteria needs two or more"
    )


def test_titles_given_for_children_by_criteria_must_be_one_per_child() -> None:
    assert refused(split.plan_by_criteria, parent(), ["1,2", "3,4"], ["Only one"], neighbours(), [], CONFIG) == (
        "1 --into title(s) for 2 children; give one per child or none"
    )
    plan = split.plan_by_criteria(parent(), ["1,2", "3,4"], ["First", " Second "], neighbours(), [], CONFIG)
    assert [new.title for new in plan.created] == ["First", "Second"]


def test_titles_from_criteria_are_their_outcome_and_children_carry_their_criteria() -> None:
    plan = split.plan_by_criteria(parent(), [], [], neighbours(), [], CONFIG)
    assert [new.title for new in plan.created] == [
        "I see the last synced version when I open the list",
        "No connection: it is kept when I tick an item",
        "Given the connection is back, then the ticks are synced",  # no "when": the criterion as it is
        "Ticks survive a restart",
    ]
    assert plan.created[1].body == (
        "As a shopper I want to use the list offline so that I can shop in the basement.\n\n"
        "Split from S-2 (Story S-2).\n\n## Acceptance criteria\n"
        "- [ ] Given no connection, when I tick an item, then it is kept\n"
    )
    grouped = split.plan_by_criteria(parent(), ["1,4", "2,3"], [], neighbours(), [], CONFIG)
    assert [new.title for new in grouped.created] == [
        "I see the last synced version when I open the list (+1 more)",
        "No connection: it is kept when I tick an item (+1 more)",
    ]


def test_a_long_outcome_drops_its_when_and_a_criterion_too_long_for_a_title_asks_for_titles() -> None:
    then = "the list shows every item the household added while I was away"
    assert split._title_from([f"Given a list, when I come back from a very long trip, then {then}"], 1) == (
        then[0].upper() + then[1:]
    )
    assert split._title_from(["Given a, when b, then c."], 1) == "C when b"
    long = "x" * 81
    with pytest.raises(GroomError) as error:
        split._title_from([long], 3)
    assert error.value.message == (
        "criterion 3 makes no short title (81 characters); name the children with --into TITLE, one per child"
    )
    assert split._title_from(["x" * 80], 1) == "X" + "x" * 79


# ---------------------------------------------------------------------------------------
# spikes


def test_a_spike_carries_the_epic_and_labels_and_one_criterion_per_open_question() -> None:
    asking = parent(
        epic="lists", labels=["mobile"], body=FOUR + "\n## Questions\n- [ ] @jonas: how long?\n- [x] done\n"
    )
    plan = split.plan_spike(asking, " Find   out ", "4h", neighbours(), ["S-3"], CONFIG)
    [spike] = plan.created
    assert spike.fields == {
        "id": "S-4",
        "title": "Find out",
        "type": "spike",
        "status": "draft",
        "epic": "lists",
        "labels": ["mobile"],
        "timebox": "4h",
        "rank": "a0V",
    }
    assert (spike.path, spike.display) == ("/nowhere/backlog/S-4-find-out.md", "backlog/S-4-find-out.md")
    assert spike.body == (
        "Find out what S-2 (Story S-2) needs before the team can estimate it.\n\n## Acceptance criteria\n"
        "- [ ] Answered: @jonas: how long?\n"
    )
    assert plan.changes == {"depends_on": ["S-4"]}


def test_a_spike_without_questions_is_done_when_the_story_can_be_estimated() -> None:
    plan = split.plan_spike(parent(depends_on=["S-1"]), "Find out", "1.5w", neighbours(), ["S-3"], CONFIG)
    [spike] = plan.created
    assert spike.body.endswith("## Acceptance criteria\n- [ ] S-2 can be estimated\n")
    assert plan.changes == {"depends_on": ["S-1", "S-4"]}


def test_a_spike_of_the_top_story_or_of_an_unranked_one() -> None:
    top = split.plan_spike(parent(rank="a0"), "Find out", "2d", order(story("S-3", rank="a2")), [], CONFIG)
    assert top.created[0].fields["rank"] == "Zz"
    unranked = split.plan_spike(parent(rank=None), "Find out", "2d", neighbours(), [], CONFIG)
    assert "rank" not in unranked.created[0].fields


@pytest.mark.parametrize("timebox", ["2", "2 d", "d", "2days", "1.w", "-1d"])
def test_a_spike_timebox_is_a_number_and_h_d_or_w(timebox: str) -> None:
    assert refused(split.plan_spike, parent(), "Find out", timebox, neighbours(), [], CONFIG) == (
        f"--timebox {timebox!r}: write a number and h, d or w (4h, 2d, 1w)"
    )


def test_a_backlog_without_the_spike_type_says_how_to_add_it() -> None:
    with pytest.raises(ConfigError) as error:
        split.plan_spike(parent(), "Find out", "2d", neighbours(), [], replace(CONFIG, types=("story",)))
    assert error.value.message == "this backlog has no 'spike' type; add it to types in groom.toml to break out spikes"


# ---------------------------------------------------------------------------------------
# new stories


def test_a_new_story_comes_from_the_template_with_the_next_id_at_the_bottom() -> None:
    new = split.plan_new(" Plan   a week ", "bug", neighbours(), ["S-3", "S-9"], CONFIG, FOLDER)
    assert new.fields == {"id": "S-10", "title": "Plan a week", "type": "bug", "status": "draft", "rank": "a3"}
    assert (new.path, new.display) == ("/nowhere/backlog/S-10-plan-a-week.md", "backlog/S-10-plan-a-week.md")
    assert new.body == split.TEMPLATE
    assert split.plan_new("Find out", "spike", neighbours(), [], CONFIG, FOLDER).fields["timebox"] == "2d"


def test_a_new_story_goes_first_or_after_a_named_story_or_alone() -> None:
    assert split.plan_new("X", "story", neighbours(), [], CONFIG, FOLDER, top=True).fields["rank"] == "Zz"
    assert split.plan_new("X", "story", neighbours(), [], CONFIG, FOLDER, after="S-3").fields["rank"] == "a3"
    assert split.plan_new("X", "story", neighbours(), [], CONFIG, FOLDER, after="S-2").fields["rank"] == "a1V"
    assert split.plan_new("X", "story", [], [], CONFIG, FOLDER).fields["rank"] == "a0"
    assert split.plan_new("X", "story", [], [], CONFIG, FOLDER, top=True).fields["rank"] == "a0"
    unranked = neighbours(story("S-5", rank=None), story("S-6", rank="a-1"))
    assert split.plan_new("X", "story", unranked, [], CONFIG, FOLDER).fields["rank"] == "a3"


def test_a_new_story_after_an_unknown_or_unranked_story_or_of_an_unknown_type_is_refused() -> None:
    assert refused(split.plan_new, "X", "story", neighbours(), [], CONFIG, FOLDER, after="S-9") == (
        "no ranked story with id 'S-9'; 'groom list' shows the ids and ranks"
    )
    assert refused(split.plan_new, "X", "epic", neighbours(), [], CONFIG, FOLDER) == (
        "unknown type 'epic'; use one of: story, spike, bug, chore"
    )


# ---------------------------------------------------------------------------------------
# renumbering


def test_renumber_to_a_chosen_id_checks_it_is_free_and_of_this_backlog() -> None:
    whole = backlog(story("S-1", rank="a0"), story("S-2", rank="a1"))
    assert refused(split.plan_renumber, whole, whole.get("S-2"), "S-1", []) == (
        "S-1 is already used by backlog/S-1.md; pick another or leave out --to"
    )
    for bad in ("X-5", "S-", "S-5a", "s-5"):
        assert refused(split.plan_renumber, whole, whole.get("S-2"), bad, []) == (
            f"{bad!r} is not an id of this backlog (prefix S- and a number)"
        )
    plan = split.plan_renumber(whole, whole.get("S-2"), "S-2.1", [])
    assert (plan.new_id, plan.new_path, plan.new_display) == ("S-2.1", "/nowhere/backlog/S-2.1.md", "backlog/S-2.1.md")


def test_renumber_keeps_the_slug_and_a_file_name_without_the_id() -> None:
    slugged = replace(story("S-2", rank="a1"), path="/nowhere/backlog/S-2-plan.md", display="backlog/S-2-plan.md")
    plan = split.plan_renumber(backlog(slugged), slugged, "S-5", [])
    assert plan.new_display == "backlog/S-5-plan.md"
    other = replace(story("S-2", rank="a1"), path="/nowhere/backlog/plan.md", display="backlog/plan.md")
    assert split.plan_renumber(backlog(other), other, "S-5", []).new_display == "backlog/plan.md"


def test_renumber_of_an_id_two_files_share_rewrites_only_what_surely_meant_this_file() -> None:
    mine = replace(story("S-2", rank="a1", parent="S-1", children=["S-4"]), path="/nowhere/backlog/S-2-a.md")
    theirs = replace(story("S-2", rank="a2"), path="/nowhere/backlog/S-2-b.md", display="backlog/S-2-b.md")
    whole = backlog(
        story("S-1", rank="a0", children=["S-2"]),
        mine,
        theirs,
        story("S-3", rank="a3", depends_on=["S-2"]),
        story("S-4", rank="a4", parent="S-2"),
    )
    assert refused(split.one_holder, whole, "S-2") == (
        "id S-2 is used by backlog/S-2.md, backlog/S-2-b.md; name the file to renumber, "
        "e.g. groom renumber backlog/S-2-b.md"
    )
    plan = split.plan_renumber(whole, mine, None, ["S-4"])
    assert plan.new_id == "S-5"
    assert [(s.id, keys) for s, keys in plan.references] == [
        ("S-1", {"children": ["S-2", "S-5"]}),
        ("S-4", {"parent": "S-5"}),
    ]
    assert plan.ambiguous == ("S-3",)


def test_one_holder_is_the_story_with_that_id() -> None:
    whole = backlog(story("S-1", rank="a0"))
    assert split.one_holder(whole, "S-1").id == "S-1"


# ---------------------------------------------------------------------------------------
# suggestions


def patterns(item: Story) -> dict[str, tuple[str, str]]:
    return {s.pattern: (s.why, s.how) for s in split.suggest(item, item.facts.narrative_text, CONFIG)}


def test_a_story_over_the_largest_size_is_too_big_for_a_sprint() -> None:
    assert patterns(parent(estimate=20))["too big for a sprint"] == (
        "the estimate 20 is above 13, the largest story the team takes into a sprint",
        "split it with one of the patterns below into children of similar size",
    )
    assert "too big for a sprint" not in patterns(parent(estimate=13))
    assert "too big for a sprint" not in patterns(parent(estimate=True))


def test_an_unknown_estimate_or_open_questions_suggest_a_spike() -> None:
    one = FOUR + "\n## Questions\n- [ ] who?\n"
    two = one + "- [ ] when?\n"
    spike = "spike (SPIDR: Spike)"
    how = 'groom split S-2 --spike "Find out …" --timebox 2d'
    assert patterns(parent(estimate="?"))[spike] == ("an unknown blocks the estimate: the estimate is ?", how)
    assert patterns(parent(body=one))[spike] == ("an unknown blocks the estimate: 1 open question", how)
    assert patterns(parent(estimate="?", body=two))[spike][0] == (
        "an unknown blocks the estimate: the estimate is ?; 2 open questions"
    )
    assert spike not in patterns(parent(estimate=5))


def test_three_criteria_suggest_one_story_per_path() -> None:
    assert patterns(parent())["workflow steps or paths (SPIDR: Paths)"] == (
        "4 acceptance criteria: each is a path a user can take on its own",
        "groom split S-2 --by-criteria (or --group 1,2 --group 3)",
    )
    two = parent(body="## Acceptance criteria\n- [ ] one\n- [ ] two\n- [ ] three\n")
    assert "workflow steps or paths (SPIDR: Paths)" in patterns(two)
    assert "workflow steps or paths (SPIDR: Paths)" not in patterns(
        parent(body="## Acceptance criteria\n- [ ] a\n- [ ] b\n")
    )


def test_words_in_the_title_and_body_suggest_their_patterns() -> None:
    joined = parent(title="Import and export lists")
    assert patterns(joined)["business-rule or operation variations"] == (
        "the title joins two things with 'and': Import and export lists",
        'groom split S-2 --into "…" --into "…" (one per part)',
    )
    crud = parent(title="Manage households")
    assert patterns(crud)["operations (CRUD)"] == (
        "'Manage' usually hides create, read, update and delete",
        'groom split S-2 --into "Create …" --into "View …" --into "Change …" --into "Remove …"',
    )
    fast = parent(title="Instant search")
    assert patterns(fast)["defer performance"] == (
        "'Instant': make it work first, then make it fast in a story of its own",
        'groom split S-2 --into "…" --into "Make … fast"',
    )
    assert set(patterns(parent(title="Plain title", estimate=5))) == {"workflow steps or paths (SPIDR: Paths)"}


def test_several_personas_suggest_one_story_per_user() -> None:
    body = "As a cook, I want to plan so that we eat. As the shopper I need a list so that I buy less."
    item = parent(body=body, estimate=5)
    assert split.suggest(item, body, CONFIG)[-1] == split.Suggestion(
        "one story per user (SPIDR: Interfaces)",
        "several personas: cook, shopper",
        "groom split S-2 --into one title per persona",
    )
    single = "As a cook I want to plan so that we eat. As a cook I want a list so that I buy less."
    assert split.suggest(parent(body=single, estimate=5), single, CONFIG) == []


# ---------------------------------------------------------------------------------------
# more edges


def test_two_criteria_are_enough_to_split_by_them_and_every_unplaced_one_is_named() -> None:
    two = parent(body="## Acceptance criteria\n- [ ] Ticks are kept\n- [ ] Lists are synced\n")
    plan = split.plan_by_criteria(two, [], [], neighbours(), ["S-3"], CONFIG)
    assert [(new.id, new.title) for new in plan.created] == [("S-4", "Ticks are kept"), ("S-5", "Lists are synced")]
    assert plan.story.id == "S-2"
    assert refused(split.plan_by_criteria, parent(), ["2", "3"], [], neighbours(), [], CONFIG).startswith(
        "criteria 1, 4 of S-2 are in no --group"
    )


@pytest.mark.parametrize("pronoun", ["It", "They", "This", "That", "These", "Those"])
def test_an_outcome_that_starts_with_a_pronoun_says_what_it_is_about(pronoun: str) -> None:
    assert split._title_from([f"Given an old list, when I open it, then {pronoun} is shown."], 1) == (
        f"An old list: {pronoun} is shown when I open it"
    )


def test_an_outcome_and_its_when_make_a_title_up_to_eighty_characters() -> None:
    then, when = "t" * 40, "w" * 34  # 40 + " when " + 34 = 80
    assert split._title_from([f"Given g, when {when}, then {then}"], 1) == "T" + then[1:] + " when " + when
    assert split._title_from([f"Given g, when {when}w, then {then}"], 1) == "T" + then[1:]


def test_the_new_stories_of_a_plan_carry_their_id_title_and_place() -> None:
    spike = split.plan_spike(parent(), "Find out", "2d", neighbours(), ["S-3"], CONFIG)
    [new] = spike.created
    assert (spike.story.id, new.id, new.title, new.path) == (
        "S-2",
        "S-4",
        "Find out",
        "/nowhere/backlog/S-4-find-out.md",
    )
    story = split.plan_new("Plan a week", "story", neighbours(), ["S-3"], CONFIG, FOLDER)
    assert (story.id, story.title) == ("S-4", "Plan a week")
    [child, _] = split.plan_into(parent(), ["A", "B"], neighbours(), ["S-3"], CONFIG).created
    assert (child.id, child.title, child.path) == ("S-4", "A", "/nowhere/backlog/S-4-a.md")


def test_a_new_story_after_one_whose_next_neighbour_shares_its_rank_goes_past_both() -> None:
    placements = order(story("S-1", rank="a1"), story("S-2", rank="a1"), story("S-3", rank="a2"))
    assert split.plan_new("X", "story", placements, [], CONFIG, FOLDER, after="S-1").fields["rank"] == "a1V"


def test_renumber_leaves_references_to_other_ids_alone_and_takes_any_prefix_of_the_backlog() -> None:
    config = replace(CONFIG, id_prefixes=("S-", "OPS-"))
    whole = backlog(
        story("S-1", rank="a0", children=["S-2", "S-3"]),
        story("S-2", rank="a1", parent="S-1"),
        story("S-3", rank="a2", parent="S-1", depends_on=["S-1"]),
        config=config,
    )
    plan = split.plan_renumber(whole, whole.get("S-2"), "OPS-5", [])
    assert plan.story.id == "S-2"
    assert [(s.id, keys) for s, keys in plan.references] == [("S-1", {"children": ["OPS-5", "S-3"]})]
    with pytest.raises(GroomError, match="no story with id 'S-9'"):
        split.one_holder(whole, "S-9")


def test_a_title_joined_by_an_ampersand_or_slash_says_so() -> None:
    assert patterns(parent(title="Import & export"))["business-rule or operation variations"][0] == (
        "the title joins two things with '&': Import & export"
    )
    assert patterns(parent(title="Import/export"))["business-rule or operation variations"][0] == (
        "the title joins two things with '/': Import/export"
    )
