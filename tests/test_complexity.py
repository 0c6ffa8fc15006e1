"""The complexity ratchet (tests/complexity.py): nothing new in fieldnotes/ rated worse than C by radon or
longer than 80 lines, and nothing on the baseline got worse."""

from __future__ import annotations

from pathlib import Path

from tests import complexity
from tests.complexity import Block


def test_nothing_new_is_worse_than_c_or_longer_than_80_lines_and_nothing_listed_got_worse() -> None:
    listed = complexity.problems(complexity.measure(), complexity.read_baseline())
    assert listed == [], "\n".join(listed)


BRANCHY = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(25))


def test_the_ratchet_catches_a_new_offender_a_worse_one_and_honours_a_reason(tmp_path: Path) -> None:
    package = tmp_path / "fieldnotes"
    package.mkdir()
    module = package / "sager.py"
    module.write_text(f"def vurdér(x: int) -> int:\n{BRANCHY}    return -1\n", encoding="utf-8")
    found = complexity.measure(package)
    assert [(b.name, b.grade, b.complexity) for b in found] == [("vurdér", "D", 26)]
    assert "vurdér: D (26)" in complexity.problems(found, [])[0]
    # on the baseline it passes; one more branch (or one more line) than listed fails
    listed = [Block("fieldnotes/sager.py", "vurdér", 26, 52)]
    assert complexity.problems(found, listed) == []
    assert "complexity grew" in complexity.problems(found, [Block("fieldnotes/sager.py", "vurdér", 25, 52)])[0]
    assert "length grew" in complexity.problems(found, [Block("fieldnotes/sager.py", "vurdér", 26, 51)])[0]
    # moved to another module it keeps its entry
    assert complexity.problems(found, [Block("fieldnotes/gamle_sager.py", "vurdér", 26, 52)]) == []
    # a long function is caught too, and a reason above it exempts it
    long_body = "".join(f"    y = x + {n}\n" for n in range(85))
    module.write_text(f"def lang(x: int) -> int:\n{long_body}    return y\n", encoding="utf-8")
    assert [(b.name, b.lines) for b in complexity.measure(package)] == [("lang", 87)]
    module.write_text(f"# complexity: én tabel, læst fra top til bund\ndef lang(x: int) -> int:\n{long_body}"
                      "    return y\n", encoding="utf-8")
    assert complexity.measure(package) == []


def test_update_only_shrinks_the_baseline() -> None:
    found = [Block("fieldnotes/a.py", "f", 30, 90), Block("fieldnotes/b.py", "g", 25, 40)]
    baseline = [Block("fieldnotes/a.py", "f", 28, 95), Block("fieldnotes/b.py", "g", 25, 40),
                Block("fieldnotes/c.py", "rettet", 22, 30)]
    assert complexity.shrunk(found, baseline) == [Block("fieldnotes/a.py", "f", 28, 90),
                                                  Block("fieldnotes/b.py", "g", 25, 40)]
