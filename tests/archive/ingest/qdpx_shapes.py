"""REFI-QDA projects written in the shapes other tools write them (for the import tests).

Written here from the standard and from what each tool's exports look like:
QualCoder (the namespace, `sources/<guid>.txt`, colours, users, code points with
CRLF counted as two), a MAXQDA-like one (CRLF counted as one character, an
inner `Sources/` folder with other file names, codes without colour, a
selection without a GUID), an ATLAS.ti-like one (no namespace, `Project.qde`
at another name, the text inline, the original .docx kept beside it, notes).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

NS = "urn:QDA-XML:project:1.0"

# Written for these tests.
TEXT = (
    "Police opened fire on protesters in Yangon on 3 March.\n"
    "\n"
    "A witness, Ma Thida, said more than 600 police took part.\n"
    "ရန်ကုန်တွင် ဆန္ဒပြသူများ စုဝေးခဲ့ကြသည်။\n"
)


def g(n: int) -> str:
    """A GUID for test item n."""
    return f"00000000-0000-4000-8000-{n:012d}"


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def spans(text: str, *quotes: str) -> list[tuple[int, int]]:
    return [(text.index(q), text.index(q) + len(q)) for q in quotes]


def qualcoder(path: Path) -> Path:
    """QualCoder: namespace, colours, users, CRLF in the file, offsets in code points."""
    text = TEXT.replace("\n", "\r\n")
    (a, b), (c, d) = spans(text, "Police", "Ma Thida")
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Crackdown" origin="QualCoder 3.5"
  creationDateTime="2024-01-02T10:00:00Z">
 <Users><User guid="{g(1)}" name="kyaw"/></Users>
 <CodeBook><Codes>
  <Code guid="{g(10)}" name="Actors" isCodable="true" color="#FF0000">
   <Code guid="{g(11)}" name="Police" isCodable="true" color="#AA0000"/>
   <Code guid="{g(12)}" name="Ma Thida" isCodable="true" color="#AA0000"/>
  </Code>
  <Code guid="{g(20)}" name="Violence" isCodable="true" color="#00FF00"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="{g(100)}" name="report.txt" plainTextPath="internal://{g(100)}.txt"
    creatingUser="{g(1)}" creationDateTime="2024-01-02T10:00:00Z">
   <PlainTextSelection guid="{g(200)}" name="Police" startPosition="{a}" endPosition="{b}"
     creatingUser="{g(1)}" creationDateTime="2024-01-02T10:05:00Z">
    <Coding guid="{g(300)}" creatingUser="{g(1)}"><CodeRef targetGUID="{g(11)}"/></Coding>
    <Coding guid="{g(301)}" creatingUser="{g(1)}"><CodeRef targetGUID="{g(20)}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="{g(201)}" name="Ma Thida" startPosition="{c}" endPosition="{d}"
     creatingUser="{g(1)}">
    <Coding guid="{g(302)}"><CodeRef targetGUID="{g(12)}"/></Coding>
    <NoteRef targetGUID="{g(400)}"/>
   </PlainTextSelection>
  </TextSource>
 </Sources>
 <Notes><Note guid="{g(400)}" name="memo">
  <PlainTextContent>Named twice.</PlainTextContent></Note></Notes>
 <Sets><Set guid="{g(500)}" name="March"><MemberSource targetGUID="{g(100)}"/></Set></Sets>
</Project>"""
    return _zip(path, {"project.qde": xml.encode(), f"sources/{g(100)}.txt": text.encode()})


def maxqda(path: Path) -> Path:
    """MAXQDA-like: CRLF counted as one character, other inner names, no colours, a
    selection without GUID, a code without GUID, a coding to a code that is not there,
    and a picture selection."""
    text = TEXT.replace("\n", "\r\n")
    one = TEXT  # offsets as if each CRLF were one character
    (a, b), (c, d) = spans(one, "600 police", "Yangon")
    burmese = "ဆန္ဒပြသူများ"
    e, f = spans(one, burmese)[0]
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="Myanmar 2021" origin="MAXQDA 2022">
 <CodeBook><Codes>
  <Code guid="{g(10)}" name="Figure" isCodable="true">
   <Code name="Police figures" isCodable="true"/>
  </Code>
  <Code guid="{g(30)}" name="Places" isCodable="true"/>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="{g(101)}" name="Document 1" plainTextPath="internal://Document 1.txt">
   <PlainTextSelection name="600 police" startPosition="{a}" endPosition="{b}">
    <Coding guid="{g(310)}"><CodeRef targetGUID="{g(10)}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="{g(211)}" name="Yangon" startPosition="{c}" endPosition="{d}">
    <Coding guid="{g(311)}"><CodeRef targetGUID="{g(30)}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="{g(212)}" name="{burmese}" startPosition="{e}" endPosition="{f}">
    <Coding guid="{g(312)}"><CodeRef targetGUID="{g(30)}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="{g(213)}" name="lost" startPosition="1" endPosition="3">
    <Coding guid="{g(313)}"><CodeRef targetGUID="{g(99)}"/></Coding>
   </PlainTextSelection>
  </TextSource>
  <PictureSource guid="{g(102)}" name="photo" path="internal://photo.jpg"/>
 </Sources>
</Project>"""
    return _zip(
        path,
        {"Project.qde": xml.encode(), "Sources/Document 1.txt": b"\xef\xbb\xbf" + text.encode()},
    )


def atlas(path: Path) -> Path:
    """ATLAS.ti-like: no namespace, another project name, text inline, a .docx original,
    offsets that do not fit (re-anchored by the quote), a note on the source."""
    (a, b), (c, d) = spans(TEXT, "opened fire", "more than 600 police")
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project name="Field notes" origin="ATLAS.ti 23">
 <Users><User guid="{g(2)}" name="Hla"/></Users>
 <CodeBook><Codes>
  <Code guid="{g(40)}" name="Event" color="#123456">
   <Code guid="{g(41)}" name="Shooting in Yangon"/>
  </Code>
  <Code guid="{g(42)}" name="figure">
   <Code guid="{g(43)}" name="Police count"/>
  </Code>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="{g(103)}" name="Interview" path="internal://{g(103)}.docx">
   <PlainTextContent>{TEXT}</PlainTextContent>
   <PlainTextSelection guid="{g(220)}" name="opened fire" startPosition="{a + 5}"
     endPosition="{b + 5}" creatingUser="{g(2)}">
    <Coding guid="{g(320)}"><CodeRef targetGUID="{g(41)}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="{g(221)}" name="more than 600 police" startPosition="{c}"
     endPosition="{d}" creatingUser="{g(2)}">
    <Coding guid="{g(321)}"><CodeRef targetGUID="{g(43)}"/></Coding>
   </PlainTextSelection>
   <NoteRef targetGUID="{g(401)}"/>
  </TextSource>
 </Sources>
 <Notes><Note guid="{g(401)}">
  <PlainTextContent>Recorded in Mandalay.</PlainTextContent></Note></Notes>
</Project>"""
    return _zip(
        path, {"atlas project.qde": xml.encode(), f"sources/{g(103)}.docx": b"PK docx bytes"}
    )


def codebook(path: Path) -> Path:
    """A REFI codebook (.qdc): codes only."""
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo">
 <Codes>
  <Code guid="{g(50)}" name="Actor" isCodable="true" color="#8ECAE6">
   <Code guid="{g(51)}" name="Tatmadaw" isCodable="true"><Description>The army</Description></Code>
  </Code>
  <Code guid="{g(52)}" name="Themes" isCodable="true">
   <Code guid="{g(53)}" name="Fear" isCodable="true"/>
  </Code>
 </Codes>
</CodeBook>"""
    path.write_text(xml, encoding="utf-8")
    return path


EMOJI_TEXT = "😀 Protest 😀 in Mandalay: 😀😀 the police fired at 5 pm.\n"


def nvivo(path: Path) -> Path:
    """NVivo-like (.NET strings): offsets in UTF-16 code units, an emoji counting two."""

    def units(s: str) -> int:
        return len(s.encode("utf-16-le")) // 2

    sels = []
    for n, quote in enumerate(("Mandalay", "the police fired")):
        i = EMOJI_TEXT.index(quote)
        a = units(EMOJI_TEXT[:i])
        sels.append(
            f'<PlainTextSelection guid="{g(230 + n)}" name="{quote}" startPosition="{a}" '
            f'endPosition="{a + units(quote)}"><Coding guid="{g(330 + n)}">'
            f'<CodeRef targetGUID="{g(60)}"/></Coding></PlainTextSelection>'
        )
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{NS}" name="NVivo project" origin="NVivo 14">
 <CodeBook><Codes><Code guid="{g(60)}" name="Places" isCodable="true" color="#336699"/></Codes>
 </CodeBook>
 <Sources>
  <TextSource guid="{g(104)}" name="Post" plainTextPath="internal://{g(104)}.txt">
   {"".join(sels)}
  </TextSource>
 </Sources>
</Project>"""
    return _zip(path, {"project.qde": xml.encode(), f"sources/{g(104)}.txt": EMOJI_TEXT.encode()})
