"""Reading YAML that someone else wrote: the one loader for every YAML file fieldnotes reads.

Front matter, `.meta.yaml` files, pseudonym key files, codebooks, the demo's and the patterns' files
all go through `Loader`. It is PyYAML's safe loader (no Python objects, no tags beyond YAML's own)
with three limits checked while the document is *composed*, before a single object is built:

- aliases (`*name`): none at all by default. A "billion laughs" document defines a short list and
  refers to it ten times, ten times over: a few hundred bytes that, walked as a tree, are billions of
  values. A loader may allow a few (`max_aliases`), and then the values they add, counted as a tree,
  must stay under `max_expansion`; an alias that refers to its own parent is refused outright;
- nesting deeper than `max_depth` levels (PyYAML composes recursively, so a deep enough
  `[[[[...` ends in RecursionError rather than a message).

A refusal is a `yaml.MarkedYAMLError` (so it carries its line) whose problem states the rule; `load`
turns every failure into one `InvalidInput` line naming the file and the line.
"""

from __future__ import annotations

from typing import Any, ClassVar

import yaml

from fieldnotes.errors import InvalidInput
from fieldnotes.translations import _


class UnsafeYAML(yaml.MarkedYAMLError):
    """YAML refused for its shape (aliases, depth), not its syntax: the rule broken and what to do."""

    def __init__(self, rule: str, remedy: str, mark: Any) -> None:
        super().__init__(None, None, f"{rule}; {remedy}", mark)
        self.rule = rule
        self.remedy = remedy


class Loader(yaml.SafeLoader):
    """The safe loader with limits on aliases, on what they expand to, and on depth."""

    max_aliases: ClassVar[int] = 0
    max_expansion: ClassVar[int] = 10_000
    max_depth: ClassVar[int] = 100

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > self.max_aliases:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                if self.max_aliases == 0:
                    rule = f"it uses a YAML alias (*{event.anchor}), and aliases can expand without end"
                else:
                    rule = (f"it uses more than {self.max_aliases} YAML aliases (*{event.anchor}), and aliases "
                            "can expand without end")
                raise UnsafeYAML(rule, f"write the value out in full instead of *{event.anchor}", event.start_mark)
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise UnsafeYAML(f"it is nested more than {self.max_depth} levels deep",
                                 "write it with fewer levels", self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_document(self) -> Any:
        node = super().compose_document()
        if self._aliases and node is not None:
            _check_expansion(node, self.max_expansion)
        return node


_ENDLESS = "a YAML alias in it refers to a value that holds the alias, so it never ends"
_WRITE_OUT = "write the values out in full instead of using aliases"


class FewAliases(Loader):
    """For files that share a value or two by alias (a codebook's scale, the demo's list of areas)."""

    max_aliases = 20


def _check_expansion(root: yaml.Node, limit: int) -> None:
    """Refuse a document whose aliases, followed as a tree, add more than `limit` values (or never end)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise UnsafeYAML(_ENDLESS, _WRITE_OUT, node.start_mark)
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise UnsafeYAML(_ENDLESS, _WRITE_OUT, child.start_mark)
            if id(child) not in sizes:
                stack.append((child, False))
    added = sizes[id(root)] - len(sizes)
    if added > limit:
        raise UnsafeYAML(f"its YAML aliases expand to {added:,} more values, above the limit of {limit:,} "
                         "(an 'alias bomb')", _WRITE_OUT, root.start_mark)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load(text: str, source: str, *, what: str, hint: str, first_line: int = 1,
         loader: type[Loader] = Loader) -> Any:
    """The data of one YAML document; InvalidInput naming `source` and the line for anything wrong.

    `what` names the YAML in messages ("the front matter"); `first_line` is the file line the text
    starts on (front matter starts below its `---`).
    """
    try:
        return yaml.load(text, Loader=loader)  # a SafeLoader, with the limits above
    except UnsafeYAML as error:
        mark = error.problem_mark
        where = _(", line {line}").format(line=str(mark.line + first_line)) if mark is not None else ""
        raise InvalidInput(_("{source}{where}: refused: {what} is not read, as {rule}")
                           .format(source=source, where=where, what=what, rule=error.rule),
                           hint=error.remedy) from None
    except yaml.MarkedYAMLError as error:
        mark = error.context_mark or error.problem_mark
        where = _(", line {line}").format(line=str(mark.line + first_line)) if mark is not None else ""
        raise InvalidInput(_("{source}{where}: {what} is not valid YAML")
                           .format(source=source, where=where, what=what), hint=hint) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + first_line
        raise InvalidInput(_("{source}, line {line}: {what} holds the character U+{character:04X}, which YAML does not "
                             "allow")
                           .format(source=source, line=str(line), what=what,
                                   character=error.character), hint=hint) from None
    except yaml.YAMLError:
        raise InvalidInput(_("{source}: {what} is not valid YAML")
                           .format(source=source, what=what), hint=hint) from None
    except (ValueError, OverflowError) as error:  # a value YAML reads but Python cannot hold, e.g. 2025-13-45
        raise InvalidInput(_("{source}: {what} is not valid YAML ({error})")
                           .format(source=source, what=what, error=error), hint=hint) from None
