"""Search benchmarks: full-text (first 50 hits with context), fuzzy, and similar passages.

    python -m benchmarks.bench_search --chars 20000000        # the "target" tier: 20 M characters, 2,000 documents
    python -m benchmarks.bench_search --chars 2000000 --json  # a quicker run

The corpus is generated deterministically (Danish-like transcripts with speaker turns and timestamps,
observation notes, a Zipf-distributed vocabulary of some tens of thousands of words with inflections,
compounds and transcription slips such as "sagsbehanler") and added through
fieldnotes.documents.store.add_document, so the search index is filled by the same triggers as in real use.
It is built once per size into benchmarks/out/ and reused.

Every figure is the median of at least five runs, printed beside a plain Python scan of the same
text measured in the same run (the ratio says how many times faster fieldnotes is):
- full-text: a regex scan of the documents in the same order, stopping at 50 hits;
- fuzzy: rapidfuzz on every word of every document;
- similar: every sentence of every document scored against the excerpt.
`figures()` runs the same measurements on a tier project for `python -m benchmarks`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.measure import Figure, figure, table

#: as benchmarks.__main__.OUT: FIELDNOTES_BENCH_OUT moves it
OUT = Path(os.environ.get("FIELDNOTES_BENCH_OUT") or Path(__file__).resolve().parent / "out")
LIMIT = 50
NAMESPACE = uuid.UUID("6b1d2c3e-4f50-4a61-8b72-9c8d7e6f5a4b")

STEMS = (
    "borger sagsbehandler jobcenter virksomhed praktik løntilskud samtale sparring kollega leder team tro jobchance "
    "arbejdsmarked ressourceforløb sagsstamme forforståelse tilbud visitering sagsfremstilling kompetence udfordring "
    "mulighed potentiale møde uge måned tid hjælp støtte tillid motivation helbred angst ryg skånehensyn time lager "
    "bageri plejecenter butik kantine chauffør rengøring kommune virksomhedskonsulent beskæftigelsesmedarbejder "
    "arbejdsevne mentor forløb handleplan uddannelse kursus revalidering fleksjob sygedagpenge kontanthjælp "
    "ressource indsats opfølgning aftale mål skridt erfaring netværk familie barn bolig økonomi gæld misbrug "
    "psykiatri læge vurdering afklaring jobsøgning ansøgning cv samarbejde kultur ledelse organisation metode"
).split()
SUFFIXES = ("", "", "", "en", "et", "er", "erne", "ens", "s", "e", "ede", "ing", "ingen")
SYLLABLES = ("ka", "be", "sø", "ran", "til", "mod", "ær", "lund", "by", "hav", "skov", "fjor", "ål", "gård", "holm",
             "sted", "ning", "hed", "lig", "ført", "vej", "bro", "dal", "kær", "bæk", "rup", "strup", "løse", "ør",
             "marks", "trup", "borg", "ved", "kjær", "high", "sen", "gaard")
FILLER = ("og at det er jeg vi han hun de som på i med for til om ikke men så også lidt meget altså jo nok faktisk "
          "egentlig godt rigtig der her når hvis kan skal vil har havde var bliver en et den man sig sådan bare "
          "ja nej øh hvad hvordan tror synes tænker siger").split()
NAMES = ("Søren", "Mette", "Ahmed", "Åse", "Jørgen", "Fatima", "Bjørn", "Lærke", "Henrik", "Æsa")
MUNICIPALITIES = ("Fjordby", "Lyngå", "Søholm", "Bakkedal")
EMOJI = ("😊", "👍", "🙂")


def _slip(word: str, rng: random.Random) -> str:
    """A transcription slip: a letter dropped, doubled or swapped."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


class Lexicon:
    """Words with Zipf weights: inflected stems, compounds, invented words, and slips of the tongue."""

    def __init__(self, rng: random.Random, size: int = 40_000) -> None:
        # the study's own words first (most frequent), then their inflections, compounds, invented words
        words: list[str] = list(STEMS)
        for stem in STEMS:
            words += [stem + suffix for suffix in SUFFIXES if suffix]
        compounds = []
        for _ in range(size // 4):
            a, b = rng.choice(STEMS), rng.choice(STEMS)
            compounds.append(a + ("s" if rng.random() < 0.3 else "") + b)
        rng.shuffle(compounds)
        words += compounds
        while len(words) < size:
            words.append("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
        self.words = list(dict.fromkeys(words))
        total = 0.0
        self.cumulative = []
        for rank in range(len(self.words)):
            total += 1.0 / (rank + 8)
            self.cumulative.append(total)

    def sentence(self, rng: random.Random) -> str:
        length = rng.randint(5, 20)
        content = rng.choices(self.words, cum_weights=self.cumulative, k=length)
        out = []
        for index in range(length):
            roll = rng.random()
            if roll < 0.5:
                out.append(rng.choice(FILLER))
            elif roll < 0.52:
                out.append(rng.choice(NAMES))
            else:
                word = content[index]
                out.append(_slip(word, rng) if rng.random() < 0.01 else word)
        out[0] = out[0].capitalize()
        end = rng.choice((".", ".", ".", "?", "!", "…"))
        if rng.random() < 0.02:
            end += " " + rng.choice(EMOJI)
        return " ".join(out) + end


def transcript(rng: random.Random, lexicon: Lexicon, characters: int) -> str:
    lines, size, seconds, turn = [], 0, 5, 0
    while size < characters:
        speaker = ("I", "R")[turn % 2]
        body = " ".join(lexicon.sentence(rng) for _ in range(rng.randint(1, 6) if speaker == "R" else 1))
        line = f"[{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}] {speaker}: {body}"
        lines.append(line)
        size += len(line) + 1
        seconds += rng.randint(5, 90)
        turn += 1
    return "\n".join(lines)


def note(rng: random.Random, lexicon: Lexicon, characters: int) -> str:
    lines, size = [], 0
    while size < characters:
        line = " ".join(lexicon.sentence(rng) for _ in range(rng.randint(2, 7)))
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


def build(path: Path, characters: int, documents: int, *, seed: int = 11) -> Path:
    """A project of `documents` documents holding `characters` characters, with some codings."""
    from fieldnotes import ids
    from fieldnotes.codebook import operations
    from fieldnotes.coding.applying import NewCoding, apply_bulk
    from fieldnotes.documents.store import NewDocument, add_document
    from fieldnotes.project.actions import acting
    from fieldnotes.project.creation import create_project

    rng = random.Random(seed)
    lexicon = Lexicon(rng)
    per_doc = max(1_000, characters // documents)
    start = dt.date(2025, 2, 1)
    with ids.deterministic(NAMESPACE):
        project = create_project(str(path), empty=True, name="Søgebenchmark", start=start, coder="Bench")
        with project:
            with acting(project, "Bench", "codebook.add", "benchmark code") as (session, coder_id):
                code_id = operations.add(session, "Virksomhedskontakt", coder_id=coder_id).id
            made: list[tuple[uuid.UUID, str]] = []
            for first in range(0, documents, 50):
                with acting(project, "Bench", "import", "generated documents") as (session, coder_id):
                    for index in range(first, min(first + 50, documents)):
                        interview = index % 3 != 2
                        size = max(1_000, int(rng.gauss(per_doc, per_doc * 0.25)))
                        body = transcript(rng, lexicon, size) if interview else note(rng, lexicon, size)
                        added = add_document(session, NewDocument(
                            text=body, title=f"{'Interview' if interview else 'Feltnote'} {index + 1:05d}",
                            kind="interview" if interview else "observation",
                            date=start + dt.timedelta(days=rng.randint(0, 700)), activity="løbende aktiviteter",
                            municipalities=[MUNICIPALITIES[index % 4]],
                            speakers={"I": {"name": "Forsker", "role": "forsker"},
                                      "R": {"name": "Medarbejder", "role": "sagsbehandler"}}), coder_id=coder_id)
                        made.append((added.document.id, body))
            with acting(project, "Bench", "code", "benchmark codings") as (session, coder_id):
                items = []
                for doc_id, body in made[: min(len(made), 200)]:
                    found = body.find("virksomhed")
                    if found < 0:
                        continue
                    a = body.rfind(".", 0, found) + 1
                    b = body.find(".", found)
                    while a < b and body[a].isspace():
                        a += 1
                    if b > a:
                        items.append(NewCoding(doc_id, code_id, coder_id, a, b + 1))
                apply_bulk(session, items)
    return path


def corpus(characters: int, documents: int | None = None) -> Path:
    documents = documents or max(1, characters // 10_000)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"search-{characters}-{documents}.db"
    if not path.exists():
        began = time.perf_counter()
        partial = path.with_name(path.name + ".building")
        for leftover in OUT.glob(partial.name + "*"):
            leftover.unlink()
        build(partial, characters, documents)
        partial.rename(path)
        print(f"built a {characters:,}-character corpus in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    return path


# --- the plain Python scans measured beside fieldnotes ---------------------------------------------


def _ordered_texts(session: Any) -> list[tuple[uuid.UUID, str]]:
    from sqlalchemy import select

    from fieldnotes.db.models import Document

    return list(session.execute(select(Document.id, Document.text).order_by(Document.date, Document.title)).all())


def plain_fulltext(session: Any, word: str, limit: int = LIMIT) -> list[tuple[uuid.UUID, int, int, str]]:
    pattern = re.compile(r"(?<![^\W_])" + re.escape(word) + r"(?![^\W_])", re.IGNORECASE)
    hits = []
    for doc_id, text in _ordered_texts(session):
        for match in pattern.finditer(text):
            hits.append((doc_id, match.start(), match.end(), text[max(0, match.start() - 80) : match.end() + 80]))
            if len(hits) >= limit:
                return hits
    return hits


def plain_fuzzy(session: Any, word: str, limit: int = LIMIT, cutoff: float = 80) -> list[tuple[float, int]]:
    from rapidfuzz import fuzz

    token = re.compile(r"[^\W_]+")
    hits: list[tuple[float, int]] = []
    for _doc_id, text in _ordered_texts(session):
        for match in token.finditer(text):
            score = fuzz.ratio(word, match.group().lower())
            if score >= cutoff:
                hits.append((score, match.start()))
    return heapq.nlargest(limit, hits)


def plain_similar(session: Any, excerpt: str, limit: int = 10) -> list[tuple[float, int]]:
    token = re.compile(r"[^\W_]+")
    target = Counter(token.findall(excerpt.lower()))
    norm = math.sqrt(sum(v * v for v in target.values()))
    best: list[tuple[float, int]] = []
    for _doc_id, text in _ordered_texts(session):
        for match in re.finditer(r"[^.!?\n]+", text):
            words = Counter(token.findall(match.group().lower()))
            dot = sum(n * words.get(w, 0) for w, n in target.items())
            if dot:
                score = dot / (norm * math.sqrt(sum(v * v for v in words.values())))
                best.append((score, match.start()))
    return heapq.nlargest(limit, best)


# --- measuring -------------------------------------------------------------------------------------


def _coding_for_similar(session: Any) -> tuple[uuid.UUID, str]:
    from sqlalchemy import select

    from fieldnotes.db.models import Coding

    for coding_id, text in session.execute(select(Coding.id, Coding.text).order_by(Coding.id)):
        if len(text.split()) >= 8:
            return coding_id, text
    raise SystemExit("the project has no coding of 8 words or more to find similar passages for")


def _rare_word(session: Any) -> str:
    """A word found in 1–5 % of the documents (a search the index should make much faster)."""
    from fieldnotes.search import index

    vocabulary = index.vocabulary(session)
    low, high = max(1, vocabulary.documents // 100), max(2, vocabulary.documents // 20)
    found = sorted(w for w, n in vocabulary.frequencies.items() if low <= n <= high and len(w) >= 6)
    return found[len(found) // 2] if found else "løntilskud"


def _with_cpu(function: Callable[[], Any]) -> tuple[Callable[[], Any], list[float]]:
    """The function, recording the CPU time of each call: on a shared machine the wall-clock median
    also holds time spent waiting for other processes, the CPU time does not."""
    samples: list[float] = []

    def timed_call() -> None:
        began = time.process_time()
        function()
        samples.append((time.process_time() - began) * 1000)

    return timed_call, samples


def _figure(label: str, function: Callable[[], Any], baseline: Callable[[], Any], *, runs: int, target_ms: float,
            note: str) -> Figure:
    timed_call, samples = _with_cpu(function)
    result = figure(label, timed_call, runs=runs, target_ms=target_ms, memory=False, baseline=("plain scan", baseline))
    cpu = statistics.median(samples[1:]) if len(samples) > 1 else samples[0]
    result.note = f"{note}; CPU {cpu:.1f} ms (median)"
    return result


def measure(project_path: str | Path, *, runs: int = 5, word: str = "sagsbehandler", phrase: str = '"tror på"',
            misspelt: str = "sagsbehanler") -> list[Figure]:
    """Time the search operations on a project (median of `runs`), each beside its plain scan."""
    from fieldnotes.project.opening import open_project
    from fieldnotes.search import index
    from fieldnotes.search.fulltext import Options, search
    from fieldnotes.search.similar import similar

    project = open_project(str(project_path), readonly=True)
    figures: list[Figure] = []
    try:
        with project.read() as session:
            coding_id, excerpt = _coding_for_similar(session)
            rare = _rare_word(session)
            for label, query, plain_word in ((f"full-text {word!r}: first {LIMIT} hits + context", word, word),
                                             (f"full-text {rare!r} (in 1-5% of documents)", rare, rare),
                                             (f"full-text phrase {phrase}: first {LIMIT}", phrase,
                                              phrase.strip('"'))):
                count = len(search(session, query, options=Options(limit=LIMIT)).hits)

                def fulltext(q: str = query) -> None:
                    search(session, q, options=Options(limit=LIMIT))

                def plain_text(w: str = plain_word) -> None:
                    plain_fulltext(session, w)

                figures.append(_figure(label, fulltext, plain_text, runs=runs, target_ms=50,
                                       note=f"{count} hits returned"))

            def fuzzy() -> None:
                search(session, misspelt, options=Options(fuzzy=True, limit=LIMIT))

            def fuzzy_cold() -> None:
                index._cache.clear()  # the command line's case: the vocabulary is read for every search
                fuzzy()

            count = len(search(session, misspelt, options=Options(fuzzy=True, limit=LIMIT)).hits)
            plain = lambda: plain_fuzzy(session, misspelt)  # noqa: E731
            figures.append(_figure(f"fuzzy {misspelt!r}, best {LIMIT} (vocabulary read)", fuzzy_cold, plain,
                                   runs=runs, target_ms=500, note=f"{count} hits, as on the command line"))
            figures.append(_figure(f"fuzzy {misspelt!r}, best {LIMIT} (vocabulary cached)", fuzzy, plain,
                                   runs=runs, target_ms=500, note=f"{count} hits, as in the app"))
            count = len(similar(session, coding_id, limit=10).hits)
            figures.append(_figure("similar passages for one excerpt (10 best)",
                                   lambda: similar(session, coding_id, limit=10),
                                   lambda: plain_similar(session, excerpt), runs=runs, target_ms=1000,
                                   note=f"{count} passages returned"))
    finally:
        project.close()
    return figures


def figures(project_path: str, tier: str, scratch: Path) -> list[Figure]:
    """The search figures on a benchmark tier's project (for `python -m benchmarks`)."""
    return measure(project_path)


def as_dict(characters: int, documents: int | None = None, runs: int = 5) -> dict[str, Any]:
    """Build (or reuse) a corpus of `characters` and return the figures as a dict."""
    os.environ.setdefault("FIELDNOTES_HOME", tempfile.mkdtemp(prefix="fieldnotes-bench-home-"))
    path = corpus(characters, documents)
    from fieldnotes.project.opening import open_project

    with open_project(str(path), readonly=True) as project, project.read() as session:
        from sqlalchemy import func, select

        from fieldnotes.db.models import Document

        count, total = session.execute(select(func.count(), func.sum(Document.length))).one()
    return {"characters": int(total or 0), "documents": int(count), "figures": [f.as_dict() for f in
                                                                              measure(path, runs=runs)]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chars", type=int, default=2_000_000, help="characters in the corpus (target: 20000000)")
    parser.add_argument("--documents", type=int, help="documents in the corpus (default: one per 10,000 characters)")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (at least 5)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be 5 or more: figures are medians of at least five runs")
    result = as_dict(args.chars, args.documents, args.runs)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(f"corpus: {result['characters']:,} characters in {result['documents']:,} documents")
        print(table([Figure(**{k: v for k, v in f.items() if k not in ("ratio", "meets_target")})
                     for f in result["figures"]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
