"""Telling names from titles and affiliations in one line of a pasted programme.

Organisers write a programme line in prose ("Key note by Superintendent Dave Hill, Programme
Director for ...", "John Leigh, DC, CAIU, West Midlands Police will examine ..."). There is no
grammar to parse, so these are heuristics, kept in one place and documented:

* A **name** is an optional honorific or rank (Dr, Prof, Superintendent, DC, ...) followed by
  capitalised words ("Debra", "O'Neill", "McDonald", "J.", particles like "van"/"de" in between):
  at least two words without an honorific, at least one with it, at most five. It must be
  followed by the end of the text, punctuation (``,`` ``;`` ``:`` ``(``), a dash, ``and``/``&``,
  or a linking word (``will``, ``from``, ``of``, ``at``, ``on``, a presenting verb).
  Words that are common in titles and organisation names (Police, University, Research, Health,
  Welcome, Keynote ...) never count as name words, so "West Midlands Police" is no name.
* An **affiliation** is whatever follows the names up to the topic: ``", DC, CAIU, West Midlands
  Police"`` -> ``"DC, CAIU, West Midlands Police"``; a parenthesis right after one name is that
  person's own affiliation; a shared one applies to every speaker that has none of their own.
* **Title first** ("Title, Speaker, Affiliation", "Title - Speaker", "Title by Speaker",
  "Title: Speaker", "Title with Speaker"): split at the first such separator whose right side
  starts with a name.
* **Speaker first** ("Name, Affiliation will examine TOPIC", "Name on TOPIC", "Name - TOPIC",
  "Name: TOPIC"): the title is the first sentence of the topic with its first letter capitalised
  ("will be looking at risk in context. Her research ..." -> "Risk in context"); the whole line
  is kept as the abstract so nothing the organiser wrote is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from livepost.model import Person


def words(text: str) -> list[str]:
    """A word list written as one string, to keep long vocabularies readable."""
    return text.split()


_HONORIFICS = sorted(
    words(
        """Dr Prof Professor Mr Mrs Ms Miss Mx Sir Dame Lord Lady Baroness Baron Rev Revd Cllr
    Councillor Judge Commissioner Commander Superintendent Inspector Sergeant Constable Detective
    Chief Deputy Assistant Special Supt Insp Sgt DCI DI DS DC PC PCSO ACC DCC CC"""
    ),
    key=len,
    reverse=True,
)
_HONORIFIC_SET = frozenset(_HONORIFICS)
_PARTICLES = "de|da|del|della|van|von|der|den|du|la|le|bin|ibn|al|el|di|ten|ter|dos|das"
_WORD = r"(?:(?:[OD]['’])?\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}?\p{Ll}+)*|\p{Lu}\.|\p{Lu}(?=\s))"
_NAME_END = (
    r"(?=\s*$|\s*[,;:(|]|\s+[-–—](?:\s|$)|\s+(?:and|&|will|from|of|at|on|presents?|discuss(?:es)?|"
    r"examines?|explores?|talks?|looks?|introduces?|shares?|reports?|outlines?)\b)"
)
_NAME = regex.compile(
    rf"(?P<hon>(?:(?:{'|'.join(_HONORIFICS)})\.?\s+){{0,3}})"
    rf"(?P<words>{_WORD}(?:\s+(?:(?:{_PARTICLES})\s+)*{_WORD}){{0,4}})" + _NAME_END
)
# Words that make a capitalised phrase a title or an organisation rather than a person.
_NOT_NAME = frozenset(
    words(
        """a an the and of for in on at to with new our your their this that what why how when who
    police policing constabulary university college school centre center institute research
    researcher project programme program team unit hub service services office department
    council board agency network group association society foundation trust academy court
    health justice crime criminal law safety security data evidence practice science community
    child children young people youth victim victims officer officers national international
    royal county city state government ministry home welcome introduction opening closing close
    remarks keynote key note panel session discussion workshop plenary conference forum summit
    lunch coffee tea break arrival registration drinks q questions answers day morning afternoon
    evening first red flags framework approach review report study analysis findings"""
    )
)
_LINK = regex.compile(r"^\s*(?:,\s*(?:and|&)\s+|,\s*|;\s*|\s+and\s+|\s*&\s*)")
_OWN_AFFILIATION = regex.compile(r"^\s*\(([^()]*)\)")
_TITLE_SEPARATORS = regex.compile(r",\s+|\s+[-–—]\s+|\s+by\s+|:\s+|;\s+|\s+with\s+", regex.I)
_VERB = regex.compile(
    r"(?:,\s*|\s+)(?:will\s+(?:be\s+)?\p{Ll}+(?:\s+(?:at|on|about|into|upon))?"
    r"|(?:presents?|discuss(?:es)?|examines?|explores?|introduces?|outlines?|shares?)"
    r"|(?:talks?|looks?|reports?|reflects?)\s+(?:at|on|about|upon))\s+"
)
_TOPIC_SEPARATORS = (
    regex.compile(r"\s+on\s+"),
    regex.compile(r"\s*:\s+"),
    regex.compile(r"\s+[-–—]\s+"),
)
_SENTENCE_END = regex.compile(r"(?<=[\p{Ll}\d)’'\"])[.!?]\s+(?=\p{Lu})")


@dataclass(frozen=True)
class _Names:
    people: list[tuple[str, str | None]]  # (name, own affiliation)
    rest: str  # the text after the last name (and its parenthesis)


def _one_name(text: str) -> regex.Match[str] | None:
    match = _NAME.match(text)
    if not match:
        return None
    words = match["words"].split()
    if any(len(w.strip(".")) > 1 and w.casefold() in _NOT_NAME for w in words):
        return None
    if all(w in _HONORIFIC_SET for w in words):  # "Special Constable" is a rank, not a person
        return None
    if len(words) < (1 if match["hon"] else 2):
        return None
    return match


def leading_names(text: str) -> _Names | None:
    """The names at the very start of ``text`` ("Dr A B and Dr C D (Kent), ..."), or ``None``."""
    people: list[tuple[str, str | None]] = []
    pos = 0
    while True:
        match = _one_name(text[pos:])
        if not match:
            break
        name = " ".join(match.group(0).split())
        pos += match.end()
        own = _OWN_AFFILIATION.match(text[pos:])
        if own:
            pos += own.end()
        people.append((name, " ".join(own[1].split()) or None if own else None))
        link = _LINK.match(text[pos:])
        if not link or not _one_name(text[pos + link.end() :]):
            break
        pos += link.end()
    return _Names(people, text[pos:]) if people else None


def _affiliation(text: str) -> str | None:
    """``", DC, CAIU, West Midlands Police,"`` -> ``"DC, CAIU, West Midlands Police"``."""
    cleaned = regex.sub(r"^[\s,;:\-–—|]*(?:(?:from|of|at)\s+)?(?:the\s+)?", "", text)
    cleaned = " ".join(cleaned.strip(" ,;:-–—|.").split())
    return cleaned or None


def _persons(names: _Names, shared: str | None) -> list[Person]:
    return [Person(name, own or shared) for name, own in names.people]


# A name in a script without capital letters (Arabic, Chinese, Hebrew ...): one to five words of
# such letters, joined to the next name by "," "and" "&" or the Arabic "و".
_CASELESS_WORD = r"[\p{Lo}\p{M}][\p{Lo}\p{M}\p{Pd}'’.]*"
_CASELESS_NAME = (
    rf"(?:(?:{'|'.join(_HONORIFICS)})\.?\s+)?{_CASELESS_WORD}(?:\s+{_CASELESS_WORD}){{0,4}}"
)
_CASELESS_NAMES = regex.compile(
    rf"^\s*(?P<first>{_CASELESS_NAME})(?P<more>(?:\s*(?:,|\band\b|&|\s و\s?)\s*{_CASELESS_NAME})*)"
    r"\s*(?:\((?P<aff>[^()]*)\))?\s*$"
)


def _caseless_speakers(text: str) -> list[Person] | None:
    """``"محمد العلي"`` or ``"张伟, 李娜"``: names in scripts that have no capital letters."""
    match = _CASELESS_NAMES.match(text)
    if not match:
        return None
    names = regex.split(r"\s*(?:,|\band\b|&|\s و\s?)\s*", match["first"] + (match["more"] or ""))
    affiliation = " ".join(match["aff"].split()) if match["aff"] else None
    return [Person(" ".join(n.split()), affiliation) for n in names if n.strip()]


def speakers_of(text: str, caseless: bool = True) -> list[Person] | None:
    """Speakers from a text that starts with names ("Dr A, Affiliation"), else ``None``.

    ``caseless`` also accepts a text that is only names in a script without capitals.
    """
    names = leading_names(text)
    if names is None:
        return _caseless_speakers(text) if caseless else None
    return _persons(names, _affiliation(names.rest))


def _first_sentence(topic: str) -> str:
    first = _SENTENCE_END.split(topic.strip(), maxsplit=1)[0]
    first = first.strip().rstrip(".,;:").strip()
    return first[:1].upper() + first[1:]


def _speaker_first(text: str) -> tuple[str, list[Person], str] | None:
    names = leading_names(text)
    if names is None:
        return None
    found = _VERB.search(names.rest)
    if found is None:
        for separator in _TOPIC_SEPARATORS:
            found = separator.search(names.rest)
            if found:
                break
    if found is None:
        return None
    topic = names.rest[found.end() :]
    title = _first_sentence(topic)
    if not title or leading_names(topic) is not None:  # "Red Flags: Dr Martin O'Neill"
        return None
    return title, _persons(names, _affiliation(names.rest[: found.start()])), text


def _title_first(text: str) -> tuple[str, list[Person]] | None:
    for separator in _TITLE_SEPARATORS.finditer(text):
        title = text[: separator.start()].strip()
        by_or_comma = separator.group(0).strip().casefold() in (",", "by")
        speakers = speakers_of(text[separator.end() :], caseless=by_or_comma)
        if title and speakers:
            return title, speakers
    return None


def split_title_speakers(text: str) -> tuple[str, list[Person], str | None]:
    """Split a programme line's text into ``(title, speakers, abstract)``.

    The abstract is the full text when the title had to be cut out of a sentence, else ``None``.
    """
    text = " ".join(text.split())
    speaker_first = _speaker_first(text)
    if speaker_first:
        return speaker_first
    title_first = _title_first(text)
    if title_first:
        return title_first[0], title_first[1], None
    return text, [], None
