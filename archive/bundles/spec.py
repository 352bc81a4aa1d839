"""The `.sesame` bundle format, version 2: member names, limits, schemas, canonical JSON.

Version 2 adds the evidence model (issue 13): review and provenance fields on
articles, figure ranges, verification and the sensitive flag on annotations,
case notes on collections, and two members, `roles.json` and
`relations.json`. A version 1 bundle (without them) still reads.

docs/bundle-format.md describes the same for someone writing a reader in
another language; the two change together.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from typing import Any

FORMAT = "sesame-bundle"
VERSION = 2  # the newest format this version writes and reads

MANIFEST = "manifest.json"
SIGNATURE = "signature"
ANNOTATIONS = "annotations.jsonld"
ENTITIES = "entities.json"
TAG_TYPES = "tag_types.json"
COLLECTIONS = "collections.json"
USERS = "users.json"
AUDIT = "audit.json"
FIXED_MEMBERS = (ANNOTATIONS, ENTITIES, TAG_TYPES, COLLECTIONS, USERS, AUDIT)
ROLES = "roles.json"  # version 2: roles in events, and the role types they use
RELATIONS = "relations.json"  # version 2: relations between actors, and their types
V2_MEMBERS = (ROLES, RELATIONS)

ARTICLE_RE = re.compile(r"^articles/([0-9a-f]{32})\.json$")
ORIGINAL_RE = re.compile(r"^originals/([0-9a-f]{64})$")

# The JSON Schema (schemas/<name>.json) each JSON member is checked against.
SCHEMA_OF = {
    MANIFEST: "manifest",
    ANNOTATIONS: "annotations",
    ENTITIES: "entities",
    TAG_TYPES: "tag_types",
    COLLECTIONS: "collections",
    USERS: "users",
    AUDIT: "audit",
    ROLES: "roles",
    RELATIONS: "relations",
}
EMPTY_V2: dict[str, list[Any]] = {
    "types": [],
    "items": [],
}  # what a version 1 bundle holds of roles and relations

# Age-encrypted bundles start with the age header (https://age-encryption.org/v1).
AGE_MAGIC = b"age-encryption.org/v1\n"

# What a reader refuses (a hostile bundle must never exhaust the machine).
MAX_MEMBERS = 500_000
MAX_MEMBER_BYTES = 1 << 30  # one original: 1 GiB
MAX_TOTAL_BYTES = 16 << 30  # everything, uncompressed: 16 GiB
MAX_JSON_BYTES = 512 << 20  # one JSON member
MAX_RATIO = 200  # uncompressed / compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1 << 20
SIGNATURE_BYTES = 64

# Identifiers in annotations.jsonld (never fetched: these are names, not addresses).
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SESAME_CONTEXT = {"sesame": "urn:sesame:vocab:"}


def urn(kind: str, ident: str) -> str:
    """`urn:sesame:<kind>:<id>`, how annotations.jsonld names articles, entities, people."""
    return f"urn:sesame:{kind}:{ident}"


def from_urn(value: str, kind: str) -> str:
    """The id inside `urn:sesame:<kind>:<id>` (ValueError if it is not one)."""
    prefix = f"urn:sesame:{kind}:"
    if not value.startswith(prefix):
        raise ValueError(f"{value!r} is not a {kind} reference")
    return value[len(prefix) :]


def canonical(document: Any) -> bytes:
    """The bytes a JSON member is written as: UTF-8, sorted keys, no spaces, no NaN."""
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def canonical_chunks(head: dict[str, Any], key: str, items: Iterable[Any]) -> Iterator[bytes]:
    """`canonical({**head, key: list(items)})`, byte for byte, in pieces: the items one at a
    time, so that a member of 50,000 annotations is never one string in memory."""
    for i, k in enumerate(sorted({*head, key})):
        yield (b"{" if i == 0 else b",") + canonical(k) + b":"
        if k != key:
            yield canonical(head[k])
            continue
        yield b"["
        for j, item in enumerate(items):
            yield (b"," if j else b"") + canonical(item)
        yield b"]"
    yield b"}"


def canonical_list(items: Iterable[Any]) -> Iterator[bytes]:
    """`canonical(list(items))`, byte for byte, one item at a time."""
    yield b"["
    for j, item in enumerate(items):
        yield (b"," if j else b"") + canonical(item)
    yield b"]"


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema called `name` (shipped as package data)."""
    text = (
        resources.files("archive.bundles")
        .joinpath("schemas", f"{name}.json")
        .read_text(encoding="utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded
