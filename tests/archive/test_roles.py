"""Roles in events and relations between actors (archive/roles.py): anchored, undoable,
resolved by id, prefix or name, following annotation deletes and entity merges."""

from collections.abc import Callable

import pytest
from sqlmodel import select

from archive import annotate, entities, models, roles
from archive.errors import InvalidInput, NotFound
from archive.store import Archive

SENTENCE = "The soldiers raided the general hospital on March 2"


@pytest.fixture
def cast(archive: Archive, add_article: Callable[..., str]) -> dict[str, str]:
    article = add_article()
    ids = {"article": article}
    for type_key, name in (
        ("event", "Hospital raid"),
        ("actor", "Tatmadaw"),
        ("actor", "Hospital staff"),
        ("actor", "Light Infantry Division 33"),
    ):
        ids[name] = entities.create_entity(archive, type_key, name).id
    return ids


def test_role_by_quote_tags_the_passage_as_the_event(
    archive: Archive, cast: dict[str, str]
) -> None:
    info = roles.add_role(archive, "Hospital raid", "tatmadaw", "perpetrator", quote=SENTENCE)
    assert (info.event, info.actor, info.role) == ("Hospital raid", "Tatmadaw", "perpetrator")
    assert info.quote == SENTENCE and info.article_id == cast["article"]
    ann = annotate.get_annotation(archive, info.annotation_id)
    assert (ann.type, ann.entity_id) == ("event", cast["Hospital raid"])
    # The same span again reuses that annotation; another actor, another role.
    second = roles.add_role(
        archive, cast["Hospital raid"][:8], "Hospital staff", "Victim", quote=SENTENCE
    )
    assert second.annotation_id == info.annotation_id
    assert len(annotate.list_annotations(archive)) == 1
    listed = roles.list_roles(archive, "Hospital raid")
    assert [(r.actor, r.role) for r in listed] == [
        ("Tatmadaw", "perpetrator"),
        ("Hospital staff", "victim"),
    ]
    assert [r.id for r in roles.list_roles(archive, actor="Tatmadaw")] == [info.id]


def test_role_on_an_annotation_and_errors(archive: Archive, cast: dict[str, str]) -> None:
    ann = annotate.create_annotation(archive, cast["article"], 0, 35, "event")
    info = roles.add_role(archive, "Hospital raid", "Tatmadaw", "witness", annotation_id=ann.id)
    assert info.annotation_id == ann.id
    with pytest.raises(InvalidInput, match="already records"):
        roles.add_role(archive, "Hospital raid", "Tatmadaw", "witness", annotation_id=ann.id)
    with pytest.raises(InvalidInput, match="is an actor, not an event"):
        roles.add_role(archive, "Tatmadaw", "Hospital staff", "victim", annotation_id=ann.id)
    with pytest.raises(InvalidInput, match="is an event, not an actor"):
        roles.add_role(archive, "Hospital raid", "Hospital raid", "victim", annotation_id=ann.id)
    with pytest.raises(NotFound, match="No role type 'bystander'"):
        roles.add_role(archive, "Hospital raid", "Tatmadaw", "bystander", annotation_id=ann.id)
    with pytest.raises(NotFound, match="No entity"):
        roles.add_role(archive, "Nobody", "Tatmadaw", "victim", annotation_id=ann.id)
    with pytest.raises(InvalidInput, match="one passage"):
        roles.add_role(archive, "Hospital raid", "Tatmadaw", "victim")
    with pytest.raises(roles.Ambiguous, match="occurrence"):
        roles.add_role(archive, "Hospital raid", "Tatmadaw", "victim", quote="the")


def test_resolve_prefix_is_literal_and_ambiguity_is_named(
    archive: Archive, cast: dict[str, str]
) -> None:
    with archive.session() as session:
        with pytest.raises(NotFound):
            roles.resolve(session, "%%%%")
        with pytest.raises(NotFound):
            roles.resolve(session, "____")
        assert roles.resolve(session, cast["Tatmadaw"][:6]).id == cast["Tatmadaw"]
    # A name shared by an actor and an event: the type asked for decides.
    entities.create_entity(archive, "event", "Tatmadaw")
    with archive.session() as session:
        assert roles.resolve(session, "Tatmadaw", "actor").id == cast["Tatmadaw"]
        with pytest.raises(roles.Ambiguous, match="could be any of"):
            roles.resolve(session, "Tatmadaw")


def test_quote_in_the_only_article_holding_it(
    archive: Archive, cast: dict[str, str], add_article: Callable[..., str]
) -> None:
    add_article("Another story entirely, where soldiers raided a school.")
    info = roles.add_role(archive, "Hospital raid", "Tatmadaw", "perpetrator", quote=SENTENCE)
    assert info.article_id == cast["article"]
    with pytest.raises(roles.Ambiguous, match="in 2 articles"):
        roles.add_role(archive, "Hospital raid", "Tatmadaw", "victim", quote="soldiers raided")
    with pytest.raises(NotFound, match="No article contains"):
        roles.add_role(archive, "Hospital raid", "Tatmadaw", "victim", quote="not in any text")


def test_role_is_undoable_with_its_new_annotation(archive: Archive, cast: dict[str, str]) -> None:
    roles.add_role(archive, "Hospital raid", "Tatmadaw", "perpetrator", quote=SENTENCE)
    archive.undo()
    assert roles.list_roles(archive) == []
    assert annotate.list_annotations(archive) == []
    archive.redo()
    assert len(roles.list_roles(archive)) == 1


def test_deleting_the_annotation_takes_its_claims_and_undo_brings_them_back(
    archive: Archive, cast: dict[str, str]
) -> None:
    info = roles.add_role(archive, "Hospital raid", "Tatmadaw", "perpetrator", quote=SENTENCE)
    rel = roles.add_relation(
        archive,
        "Light Infantry Division 33",
        "Tatmadaw",
        "part of",
        annotation_id=info.annotation_id,
    )
    annotate.delete_annotation(archive, info.annotation_id)
    assert roles.list_roles(archive) == [] and roles.list_relations(archive) == []
    archive.undo()
    assert [r.id for r in roles.list_roles(archive)] == [info.id]
    assert [r.id for r in roles.list_relations(archive)] == [rel.id]


def test_merge_repoints_and_unmerge_and_undo_restore(
    archive: Archive, cast: dict[str, str]
) -> None:
    junta = entities.create_entity(archive, "actor", "Myanmar military").id
    info = roles.add_role(archive, "Hospital raid", junta, "perpetrator", quote=SENTENCE)
    record = entities.merge_entities(archive, cast["Tatmadaw"], junta)
    assert record.repointed_claims == [["role", info.id, "actor_id"]]
    assert roles.list_roles(archive)[0].actor_id == cast["Tatmadaw"]
    archive.undo()
    assert roles.list_roles(archive)[0].actor_id == junta
    record = entities.merge_entities(archive, cast["Tatmadaw"], junta)
    entities.unmerge_entities(archive, entities.last_merge_record(archive, junta))
    assert roles.list_roles(archive)[0].actor_id == junta
    with pytest.raises(InvalidInput, match="role"):
        entities.delete_entity(archive, junta)


def test_relations_first_and_last_cited(
    archive: Archive, cast: dict[str, str], add_article: Callable[..., str]
) -> None:
    older = add_article("LID 33 is part of the Tatmadaw, a report said.", published="2019-06")
    newer = add_article("The LID 33, a unit of the Tatmadaw, moved in.", published="2021-03-04")
    first = roles.add_relation(
        archive,
        "Light Infantry Division 33",
        "Tatmadaw",
        "part_of",
        quote="LID 33 is part of the Tatmadaw",
        article=older,
        date_start="2019",
    )
    assert (first.first_cited, first.last_cited, first.citations) == ("2019-06", "2019-06", 1)
    ann = annotate.get_annotation(archive, first.annotation_id)
    assert (ann.type, ann.entity_id) == ("actor", cast["Light Infantry Division 33"])
    roles.add_relation(
        archive,
        "Light Infantry Division 33",
        "Tatmadaw",
        "Part of",
        quote="a unit of the Tatmadaw",
        article=newer,
    )
    listed = roles.list_relations(archive, "Tatmadaw")
    assert {(r.first_cited, r.last_cited, r.citations) for r in listed} == {
        ("2019-06", "2021-03-04", 2)
    }
    with pytest.raises(InvalidInput, match="two actors"):
        roles.add_relation(archive, "Tatmadaw", "Tatmadaw", "commands", annotation_id=ann.id)
    with pytest.raises(InvalidInput, match="is an event"):
        roles.add_relation(archive, "Hospital raid", "Tatmadaw", "commands", annotation_id=ann.id)
    with pytest.raises(InvalidInput, match="before the start"):
        roles.add_relation(
            archive,
            "Tatmadaw",
            "Hospital staff",
            "commands",
            annotation_id=ann.id,
            date_start="2021",
            date_end="2020",
        )
    roles.remove_relation(archive, first.id[:8])
    assert len(roles.list_relations(archive)) == 1


def test_user_types(archive: Archive, cast: dict[str, str]) -> None:
    added = roles.add_role_type(archive, "organiser", "Organiser")
    assert added.to_dict() == {"key": "organiser", "label": "Organiser", "builtin": False}
    assert [t.key for t in roles.list_role_types(archive)][-1] == "organiser"
    with pytest.raises(InvalidInput, match="already"):
        roles.add_role_type(archive, "organiser", "Other")
    with pytest.raises(InvalidInput, match="lower-case"):
        roles.add_role_type(archive, "Bad Key", "Bad")
    info = roles.add_role(archive, "Hospital raid", "Tatmadaw", "Organiser", quote=SENTENCE)
    with pytest.raises(InvalidInput, match="used 1"):
        roles.remove_role_type(archive, "organiser")
    with pytest.raises(InvalidInput, match="comes with Sesame"):
        roles.remove_role_type(archive, "victim")
    roles.remove_role(archive, info.id)
    roles.remove_role_type(archive, "organiser")
    assert roles.add_relation_type(archive, "funds", "Funds").key == "funds"
    assert "funds" in {t.key for t in roles.list_relation_types(archive)}
    archive.undo()
    assert "funds" not in {t.key for t in roles.list_relation_types(archive)}


def test_writes_are_audited(archive: Archive, cast: dict[str, str]) -> None:
    roles.add_role(archive, "Hospital raid", "Tatmadaw", "perpetrator", quote=SENTENCE)
    with archive.session() as session:
        actions = [e.action for e in session.exec(select(models.AuditEvent))]
    assert "role.create" in actions and "annotation.create" in actions


def test_annotation_prefix_is_literal_and_ambiguity_is_named(
    archive: Archive, cast: dict[str, str]
) -> None:
    for n in (1, 2):
        annotate.create_annotation(
            archive, cast["article"], 0, 10 + n, "event", annotation_id=f"abcd_{n}" + "0" * 26
        )
    with pytest.raises(roles.Ambiguous, match="matches 2 annotations"):
        roles.add_role(archive, "Hospital raid", "Tatmadaw", "victim", annotation_id="abcd_")
    with pytest.raises(NotFound, match="No annotation"):
        roles.add_role(archive, "Hospital raid", "Tatmadaw", "victim", annotation_id="abc%")
    info = roles.add_role(archive, "Hospital raid", "Tatmadaw", "victim", annotation_id="abcd_1")
    assert info.annotation_id.startswith("abcd_1")
