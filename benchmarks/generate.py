"""A deterministic generator of benchmark projects at the tiers in the design notes.

The shapes are realistic: Danish-like transcripts with speaker turns and timestamps, observation
notes, a code tree of the given depth, codings of a sentence to a few paragraphs with overlaps,
several coders, and cases with attributes. Everything is written through the library's public
paths (add_document, codebook operations, engine.apply_bulk), so what is measured is real. A fixed
seed gives the same project every time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from fieldnotes import clock, ids
from fieldnotes.codebook import operations
from fieldnotes.coding.applying import NewCoding, apply_bulk
from fieldnotes.db.models import Code
from fieldnotes.documents.store import NewDocument, add_document, get_case, set_attribute
from fieldnotes.project.actions import acting
from fieldnotes.project.creation import create_project
from fieldnotes.project.opening import Project


@dataclass(frozen=True)
class Tier:
    name: str
    documents: int
    characters: int
    codings: int
    codes: int
    depth: int
    coders: int
    cases: int


TIERS = {
    "tiny": Tier("tiny", 24, 240_000, 1_200, 40, 3, 3, 4),
    "typical": Tier("typical", 250, 10_000_000, 20_000, 150, 4, 5, 4),
    "target": Tier("target", 2_000, 20_000_000, 100_000, 500, 6, 10, 50),
    "stress": Tier("stress", 5_000, 50_000_000, 250_000, 1_500, 8, 20, 200),
    "long": Tier("long", 1, 500_000, 5_000, 60, 3, 2, 1),
}

NAMESPACE = uuid.UUID("2f7c9a1e-8b3d-5c4e-9f01-a2b3c4d5e6f7")
START = dt.date(2025, 2, 1)

WORDS = (
    "borger borgeren borgerne sagsbehandler sagsbehandleren jobcenter jobcentret virksomhed virksomheden "
    "praktik praktikken løntilskud samtale samtalen sparring kollega kolleger leder ledelsen team teamet "
    "tro troen jobchance jobchancen arbejdsmarked arbejdsmarkedet ressourcer ressourceforløb sagsstamme "
    "forforståelse tilbud visitering sagsfremstilling kompetencer udfordringer muligheder potentiale "
    "møde mødet uge måned år tid hjælp støtte tillid motivation helbred angst ryg skånehensyn timer "
    "lager lageret bageri bageriet plejecenter butik kantine chauffør rengøring kommune kommunen"
).split()
FILLER = ("og at det er jeg vi han hun de som på i med for til om ikke men så også lidt meget altså "
          "jo nok faktisk egentlig godt rigtig der her når hvis kan skal vil har havde var bliver").split()
SPEAKERS = ("I", "R")
MUNICIPALITIES = ("Fjordby", "Lyngå", "Søholm", "Bakkedal")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS if rng.random() < 0.45 else FILLER) for _ in range(rng.randint(6, 18))]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice((".", ".", ".", "?", "!"))


def transcript(rng: random.Random, characters: int) -> str:
    lines, size, seconds, turn = [], 0, 5, 0
    while size < characters:
        speaker = SPEAKERS[turn % 2]
        body = " ".join(sentence(rng) for _ in range(rng.randint(1, 6) if speaker == "R" else 1))
        stamp = f"[{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}]"
        line = f"{stamp} {speaker}: {body}"
        lines.append(line)
        size += len(line) + 1
        seconds += rng.randint(5, 90)
        turn += 1
    return "\n".join(lines)


def note(rng: random.Random, characters: int) -> str:
    lines, size = [], 0
    while size < characters:
        line = " ".join(sentence(rng) for _ in range(rng.randint(2, 7)))
        lines.append(line)
        size += len(line) + 1
        if rng.random() < 0.15:
            lines.append("")
    return "\n".join(lines)


def _code_tree(project: Project, tier: Tier, rng: random.Random) -> list[uuid.UUID]:
    """`tier.codes` codes over `tier.depth` levels; returns the codable ones."""
    codable: list[uuid.UUID] = []
    with acting(project, "Bench Koder 1", "codebook.add", "generated codebook") as (session, coder_id):
        levels: list[list[Code]] = []
        made = 0
        tops = max(4, min(10, tier.codes // 20))
        level: list[Code] = []
        for index in range(tops):
            level.append(operations.add(session, f"Område {index + 1}", coder_id=coder_id, codable=index == 0,
                                        code_id=ids.stable(NAMESPACE, f"code-top-{index}")))
            made += 1
        levels.append(level)
        depth = 1
        while made < tier.codes:
            parents = levels[-1] if depth < tier.depth else [c for lvl in levels for c in lvl]
            next_level = []
            for parent in parents:
                for _child in range(rng.randint(2, 5)):
                    if made >= tier.codes:
                        break
                    scale = (1, 5) if rng.random() < 0.05 else None
                    code = operations.add(session, f"{parent.name.split(' ')[0][:3]} {made} {rng.choice(WORDS)}",
                                          parent=parent, coder_id=coder_id, scale=scale,
                                          code_id=ids.stable(NAMESPACE, f"code-{made}"))
                    next_level.append(code)
                    made += 1
            if not next_level:
                break
            levels.append(next_level)
            depth += 1
        for level_codes in levels:
            codable.extend(c.id for c in level_codes if c.codable)
    return codable


def build(path: Path, tier_name: str, *, seed: int = 7) -> Path:
    """Build the tier's project at `path` (which must not exist). Deterministic for a given seed."""
    tier = TIERS[tier_name]
    rng = random.Random(seed)
    coders = [f"Bench Koder {i + 1}" for i in range(tier.coders)]
    with ids.deterministic(NAMESPACE), clock.frozen_at(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
        project = create_project(str(path), empty=True, name=f"Benchmark {tier.name}", start=START, coder=coders[0])
        with project:
            codable = _code_tree(project, tier, rng)
            case_names = [MUNICIPALITIES[i] if i < 4 else f"Kommune {i + 1}" for i in range(tier.cases)]
            per_doc = tier.characters // tier.documents
            documents: list[tuple[uuid.UUID, int]] = []
            batch = 50
            for first in range(0, tier.documents, batch):
                with acting(project, coders[0], "import", "generated documents") as (session, coder_id):
                    if first == 0:
                        for index, name in enumerate(case_names):
                            case = get_case(session, "municipality", name, coder_id=coder_id)
                            set_attribute(session, scope="case", name="indbyggere", value=20_000 + 1_000 * index,
                                          coder_id=coder_id, case_id=case.id)
                    for index in range(first, min(first + batch, tier.documents)):
                        interview = index % 3 != 2
                        size = max(2_000, int(rng.gauss(per_doc, per_doc * 0.3))) if tier.documents > 1 else per_doc
                        text = transcript(rng, size) if interview else note(rng, size)
                        added = add_document(session, NewDocument(
                            text=text, title=f"{'Interview' if interview else 'Observation'} {index + 1:05d}",
                            kind="interview" if interview else "observation",
                            date=START + dt.timedelta(days=rng.randint(0, 700)),
                            activity="løbende aktiviteter", municipalities=[case_names[index % len(case_names)]],
                            speakers={"I": {"name": "Forsker", "role": "forsker"},
                                      "R": {"name": "Medarbejder", "role": rng.choice(
                                          ("sagsbehandler", "leder", "virksomhedskonsulent"))}},
                            attributes={"team": rng.choice(("Ungeteam", "Voksenteam", "Virksomhedsteam"))},
                            id=ids.stable(NAMESPACE, f"doc-{index}")), coder_id=coder_id)
                        documents.append((added.document.id, added.document.length))
            _codings(project, tier, rng, documents, codable, coders)
    return path


def _codings(project: Project, tier: Tier, rng: random.Random, documents: list[tuple[uuid.UUID, int]],
             codable: list[uuid.UUID], coders: list[str]) -> None:
    from fieldnotes.db.coders import coder_id as make_id
    from fieldnotes.db.coders import ensure_coder

    with project.read() as session:
        scaled = {c.id for c in session.query(Code).filter(Code.scale_min.is_not(None))}
    coder_ids = [make_id(name) for name in coders]
    with acting(project, coders[0], "coder.add", "generated coders") as (session, _):
        for name in coders:
            ensure_coder(session, name)
    batch = 5_000
    made = 0
    while made < tier.codings:
        items = []
        for _ in range(min(batch, tier.codings - made)):
            doc_id, length = documents[rng.randrange(len(documents))]
            span = min(length - 1, int(rng.lognormvariate(5.3, 0.6)))
            start = rng.randrange(0, max(1, length - span))
            code = codable[rng.randrange(len(codable))]
            items.append(NewCoding(doc_id, code, coder_ids[rng.randrange(len(coder_ids))], start, start + max(1, span),
                                   memo="Generated memo" if rng.random() < 0.05 else None,
                                   rating=rng.randint(1, 5) if code in scaled else None))
            made += 1
        with acting(project, coders[0], "code", "generated codings") as (session, _):
            apply_bulk(session, items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tier", choices=sorted(TIERS))
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    began = time.perf_counter()
    build(args.out, args.tier, seed=args.seed)
    print(f"built {args.tier} at {args.out} in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
