"""Fused chains: the Pass, Choice and Succeed states a Map runs per item, or a loop per turn, compiled into one
generated Python function per entry state.

Why generated code: in such a chain the data work of a state is a small dict or one comparison, and the
per-state protocol around it (a method call, the run loop's checks, a dozen attribute reads) costs several times
as much. A chain written out as one function keeps each state's own fast path, with its constants, transitions
and trace record inline, and makes the run loop's checks once per pass: time stands still in these states (they
run only on the virtual clock), so only the history's event count and the Express transition guard change, and
the function first checks that its longest path fits under both.

Equal to the general path: each state's fused form is the node's fast path (``PassNode``'s static Result, field
pick and closure, ``ChoiceNode``'s direct and simple rules, a plain Succeed), with the same preconditions. When
one does not hold (a field missing, a value of another type, a size bound over the 256 KiB quota, no room for the
whole path), the function hands that state to the node's own ``execute``, which decides as it would unfused.
``tests/test_fused.py`` runs the recorded corpus and random machines with and without fusion and compares every
execution, history included.

Fusion is applied where it pays: in blocks a Map runs per item and on loops, to an entry taken ``HOT`` times (a
machine run once never pays for writing and compiling code). ``compile_plan(fusion=...)`` chooses (``"off"``,
or ``"all"``: every block, from the first entry, as the tests run it). An inline Map whose processor starts with
such a chain runs the chain inside one generated loop over its items, and a distributed Map inside one over its
child executions (``sfnkit.engine.fused_map``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, Literal

from sfnkit.asl import dataflow as df
from sfnkit.asl.failures import StatesError
from sfnkit.asl.paths import input_keys
from sfnkit.asl.scope import Json, Scope
from sfnkit.engine.children import Block
from sfnkit.engine.choice import ChoiceNode
from sfnkit.engine.loop import RunState, Strand
from sfnkit.engine.node import Node
from sfnkit.engine.pass_state import PassNode
from sfnkit.engine.retry import RetryingNode
from sfnkit.engine.terminal import SucceedNode
from sfnkit.execution import FUSED
from sfnkit.lambdas import MAX_PAYLOAD_BYTES

Fusion = Literal["auto", "all", "off"]
HOT: Final = 32  # entries of a stand-in before its chain is compiled ("auto")
MAX_STATES: Final = 32  # states written out in one function (each branch of a Choice counts its own)

_EXACT: Final = 2**53  # integers up to here convert to doubles exactly (as ``sfnkit.asl.rules`` compares them)
_NUMERIC: Final = {
    "NumericEquals": "==",
    "NumericLessThan": "<",
    "NumericGreaterThan": ">",
    "NumericLessThanEquals": "<=",
    "NumericGreaterThanEquals": ">=",
}

Execute = Callable[[Node, RunState, Strand, Json], tuple[Node | None, Json]]  # a method of the stand-in


def fusible(node: Node) -> bool:
    """Whether *node* has a fast path a fused chain can write out."""
    if isinstance(node, PassNode):
        return node.constant is not None or node.pick_base is not None or node.fast is not None
    if isinstance(node, ChoiceNode):
        return node.direct is not None or node.simple is not None
    if isinstance(node, SucceedNode):
        io = node.io
        return (
            node.language == "JSONPath"
            and not node.needs_context
            and isinstance(io, df.JsonPathIO)
            and io.input_path is None
            and io.output_path is None
        )
    return False


class FusedNode(Node):
    """Stands for *entry* in its block's transitions: runs it as before until taken ``hot`` times, then the
    generated function of the chain that starts there."""

    __slots__ = ("entry", "function", "hot", "loop_of", "loop_source", "peers", "recorded", "source", "taken")

    def __init__(self, entry: Node, hot: int, peers: dict[Node, FusedNode], recorded: bool = True) -> None:
        # (not Node.__init__: a stand-in has no state of its own; it answers with its entry's name and fields)
        self.name, self.language, self.location = entry.name, entry.language, entry.location
        self.event_prefix, self.next_name, self.next = entry.event_prefix, entry.next_name, entry.next
        self.needs_context, self.growth = entry.needs_context, entry.growth
        self.entry = entry
        self.hot = hot
        self.taken = 0
        self.peers = peers  # the block's stand-ins, where a chain that ends at another fusible state goes on
        self.recorded = recorded  # whether the chain's trace records are kept (see fuse_block)
        self.function: Execute | None = None
        self.source = ""  # the generated code (for a reader debugging it)
        # an inline Map's generated loop over its items, when this starts its processor (``fused_map``), once
        # written: in a 1-tuple (None: the chain loops, its turns stay with the chain's own function); its code
        self.loop_of: tuple[Any] | None = None
        self.loop_source = ""

    def execute(self, run: RunState, strand: Strand, raw: Json) -> tuple[Node | None, Json]:
        self.taken += 1
        if self.taken < self.hot:
            return self.entry.execute(run, strand, raw)
        self.source, function = write_chain(self.entry, self.peers, self.recorded)
        self.function = function
        # from now on the generated function is this stand-in's ``execute``, in a class of its own (one call per
        # entry, not two; the layout is the same, so the stand-in changes class in place)
        self.__class__ = type("CompiledChain", (FusedNode,), {"__slots__": (), "execute": function})
        return function(self, run, strand, raw)


def fuse_block(block: Block, fusion: Fusion, *, repeated: bool, recorded: bool = True) -> None:
    """Put stand-ins in *block*'s transitions for its fusible states: all of them in a block run per item
    (*repeated*), those on a loop otherwise; every block's with ``"all"``, none with ``"off"``. In a block run as
    child executions whose history nobody reads (not *recorded*: a distributed Map's, whose children's traces
    are dropped as AWS keeps no Express child's history in the parent's), the chains write no trace records."""
    if fusion == "off":
        return
    candidates = [node for node in block.nodes.values() if fusible(node)]
    if fusion == "auto" and not repeated:
        # a loop that ends turns at a Choice (without one it runs until a quota or a Catch): a block without any
        # is not searched (a 10,000-state chain compiles as fast as before)
        if not any(isinstance(node, ChoiceNode) for node in candidates):
            return
        looping = _on_loops(block)
        candidates = [node for node in candidates if node in looping]
    if not candidates:
        return
    peers: dict[Node, FusedNode] = {}
    for node in candidates:
        peers[node] = FusedNode(node, 1 if fusion == "all" else HOT, peers, recorded)

    def swap(target: Node | None) -> Node | None:
        return None if target is None else peers.get(target, target)

    for node in [*block.nodes.values(), *peers.values()]:
        node.next = swap(node.next)
        if isinstance(node, ChoiceNode):
            for choice in node.choices:
                choice[2] = swap(choice[2])
            node.default = swap(node.default)
            if node.direct is not None:
                node.direct = tuple((test, swap(target)) for test, target in node.direct)
            if node.simple is not None:
                node.simple = tuple((test, swap(target)) for test, target in node.simple)
        elif isinstance(node, RetryingNode):
            for catcher in node.catchers:
                catcher.next = swap(catcher.next)
    block.start = peers.get(block.start, block.start)


def _successors(node: Node) -> Iterator[Node]:
    if node.next is not None:
        yield node.next
    if isinstance(node, ChoiceNode):
        yield from (choice[2] for choice in node.choices if choice[2] is not None)
        if node.default is not None:
            yield node.default
    elif isinstance(node, RetryingNode):
        yield from (catcher.next for catcher in node.catchers if catcher.next is not None)


def _on_loops(block: Block) -> set[Node]:
    """The states of *block* that lie on a cycle of transitions (Tarjan's strongly connected components, without
    recursion: a chain of 10,000 states stays under the recursion limit)."""
    index: dict[Node, int] = {}
    low: dict[Node, int] = {}
    stack: list[Node] = []
    on_stack: set[Node] = set()
    looping: set[Node] = set()
    for root in block.nodes.values():
        if root in index:
            continue
        work: list[tuple[Node, Iterator[Node]]] = [(root, _successors(root))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            for target in pending:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, _successors(target)))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
                if target is node:
                    looping.add(node)
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member is node:
                            break
                    if len(component) > 1:
                        looping.update(component)
    return looping


class _Writer:
    """Writes the function of the chain from one entry state: one block of lines per state, a Choice branching
    into one sub-chain per target; a chain ends at a state that is not fusible, at an end, back at its entry (the
    next turn of a loop) or after ``MAX_STATES`` states (it goes on at that state's stand-in)."""

    def __init__(self, entry: Node, peers: dict[Node, FusedNode], recorded: bool) -> None:
        self.entry = entry
        self.peers = peers
        self.recorded = recorded
        self.lines: list[str] = []
        self.scope: dict[str, Any] = {
            "FUSED": FUSED,
            "MAX": MAX_PAYLOAD_BYTES,
            "Scope": Scope,
            "StatesError": StatesError,
        }
        self.names: dict[int, str] = {}
        self.states = 0
        self.depth = 0  # the most states on one path
        self.loops = False
        self.reads_variables = False
        self.fails = False  # (a state placing its own error reads the time)
        # the states recorded on the path being written: (name, kind, input, output), the data as variable names
        self.trail: list[tuple[str, str, str, str]] = []

    def ref(self, value: Any) -> str:
        """A global of the generated code holding *value* (the very object: constants are shared, as unfused)."""
        name = self.names.get(id(value))
        if name is None:
            name = self.names[id(value)] = f"g{len(self.names)}"
            self.scope[name] = value
        return name

    def literal(self, value: Json) -> str:
        if value is None or type(value) in (bool, int) or (type(value) is str and len(value) < 200):
            return repr(value)
        return self.ref(value)

    def emit(self, level: int, line: str) -> None:
        self.lines.append("    " * level + line)

    def leave(self, level: int, target: str, data: str, done: int) -> None:
        """Go on at *target* (a node, or None at an end) after *done* states of this pass."""
        self.emit(level, f"rec.count = count + {2 * done}; rec.transitions = T + {done}; strand.bound = bound")
        self.emit(level, f"return {target}, {data}")

    def hand_over(self, level: int, node: Node, data: str, done: int) -> None:
        """Let *node* run itself (its transition counted, as the run loop would have)."""
        self.emit(level, f"rec.count = count + {2 * done}; rec.transitions = T + {done + 1}; strand.bound = bound")
        self.emit(level, f"return {self.ref(node)}.execute(run, strand, {data})")

    def fail(self, level: int, node: Node, data: str, done: int) -> None:
        """Place a StatesError as *node* does (entered event, located error)."""
        self.fails = True
        self.emit(level, f"rec.count = count + {2 * done}; rec.transitions = T + {done + 1}; strand.bound = bound")
        self.emit(level, f"raise {self.ref(node)}.failed(run, strand, {data}, t, err) from None")

    def record(self, level: int, node: Node, kind: str, data: str, out: str) -> None:
        self.trail.append((node.name, kind, data, out))
        if self.recorded:
            self.emit(level, f"append((FUSED, {self.ref(node.name)}, {kind!r}, chain, t, {data}, t, {out}, None))")

    def chain(self, node: Node | None, data: str, done: int, level: int, path: frozenset[Node]) -> None:
        if node is None:
            self.leave(level, "None", data, done)
            return
        if isinstance(node, FusedNode):
            node = node.entry
        if node is self.entry and done:  # back at the start: the next turn of the loop
            self.loops = True
            self.emit(level, f"count += {2 * done}; T += {done}; d0 = {data}")
            self.emit(level, "continue")
            return
        if node in path or self.states >= MAX_STATES or not fusible(node):
            self.leave(level, self.ref(self.peers.get(node, node)), data, done)
            return
        self.states += 1
        self.depth = max(self.depth, done + 1)
        path = path | {node}
        out = f"d{self.states}"
        if isinstance(node, PassNode):
            self.pass_state(node, data, out, done, level)
            self.chain(node.next, out, done + 1, level, path)
        elif isinstance(node, ChoiceNode):
            self.choice(node, data, done, level, path)
        else:
            assert isinstance(node, SucceedNode)
            self.bounded(level, node, data, done, "0", "1")
            self.record(level, node, "Succeed", data, data)
            self.leave(level, "None", data, done + 1)

    def bounded(self, level: int, node: Node, data: str, done: int, add: str, mult: str) -> None:
        """The size bound of the state's output (as the node computes it); over the quota, the node decides."""
        scaled = "" if mult == "1" else f"{mult} * "
        self.emit(level, f"b = {scaled}(bound if bound > vb else vb) + {add}")
        self.emit(level, "if b > MAX:")
        self.hand_over(level + 1, node, data, done)
        self.emit(level, "bound = b")

    def pass_state(self, node: PassNode, data: str, out: str, done: int, level: int) -> None:
        mult, add = str(node.grow_mult), str(node.grow_add)
        if node.constant is not None:
            self.emit(level, f"{out} = {self.literal(node.constant[0])}")
            self.emit(level, f"bound = {add}")
        elif node.pick_base is not None:
            fields = []
            picks = dict(node.picks)
            computed = dict(node.computed or ())
            for key, value in node.pick_base.items():
                if key in picks:
                    fields.append(f"{key!r}: {data}[{picks[key]!r}]")
                elif key in computed:
                    fields.append(f"{key!r}: {self.ref(computed[key])}({data})")
                else:
                    fields.append(f"{key!r}: {self.literal(value)}")
            if next(iter(node.pick_base), None) not in picks:
                # (with a pick first, any other JSON value fails it with a TypeError before the rest runs)
                self.emit(level, f"if type({data}) is not dict:")
                self.hand_over(level + 1, node, data, done)
            self.emit(level, "try:")
            self.emit(level + 1, f"{out} = {{{', '.join(fields)}}}")
            self.emit(level, "except (KeyError, TypeError):")
            self.hand_over(level + 1, node, data, done)
            if node.pick_into is not None:
                self.emit(level, f"{out}, picked = {data}.copy(), {out}")
                self.emit(level, f"{out}[{node.pick_into!r}] = picked")
            self.bounded(level, node, data, done, add, mult)
        else:
            self.reads_variables = True
            scaled = "" if mult == "1" else f"{mult} * "
            self.emit(level, "try:")
            self.emit(level + 1, f"{out} = {self.ref(node.fast)}({data}, variables)")
            self.emit(level + 1, f"b = {scaled}(bound if bound > vb else vb) + {add}")
            self.emit(level + 1, "if b > MAX:")
            self.emit(level + 2, "strand.bound = bound")
            self.emit(level + 2, f"{self.ref(node)}.check_size(run, strand, {out})")
            self.emit(level + 2, "b = strand.bound")
            self.emit(level + 1, "bound = b")
            self.emit(level, "except StatesError as err:")
            self.fail(level + 1, node, data, done)
        self.record(level, node, "Pass", data, out)

    def choice(self, node: ChoiceNode, data: str, done: int, level: int, path: frozenset[Node]) -> None:
        rules: tuple[tuple[Any, Node | None], ...]
        if node.direct is not None:
            rules, argument, errors = node.direct, data, "(KeyError, TypeError)"
        else:
            assert node.simple is not None
            self.reads_variables = True
            self.emit(level, f"scope = Scope({data}, None, variables)")
            rules, argument, errors = node.simple, "scope", "StatesError as err"
        self.emit(level, "try:")
        for n, (test, _target) in enumerate(rules):
            holds = f"{self.ref(test)}({argument})"
            if node.direct is not None:
                written = self.comparison(node.rules[n], data)
                holds = holds if written is None else written.format(holds)
            self.emit(level + 1, f"{'if' if n == 0 else 'elif'} {holds}:")
            self.emit(level + 2, f"c = {n}")
        self.emit(level + 1, "else:")
        self.emit(level + 2, f"c = {len(rules)}")
        self.emit(level, f"except {errors}:")
        if node.direct is not None:
            self.hand_over(level + 1, node, data, done)
        else:
            self.fail(level + 1, node, data, done)
        targets = [target for _test, target in rules] + [node.default]
        mark = len(self.trail)
        for n, target in enumerate(targets):
            del self.trail[mark:]  # (each branch is a path of its own)
            self.emit(level, f"if c == {n}:" if n < len(targets) - 1 else "else:")
            if target is None:  # no rule held and there is no Default: the node raises AWS's error
                self.hand_over(level + 1, node, data, done)
                continue
            self.record(level + 1, node, "Choice", data, data)
            self.chain(target, data, done + 1, level + 1, path)

    def comparison(self, rule: Mapping[str, Json], data: str) -> str | None:
        """A direct rule comparing a top-level field with a number, written out for the values it decides alone
        (a float, an int a double holds exactly: ``compile_direct_rule``'s ``numeric_key``); for any other value,
        None: the rule's own function decides."""
        operators = [key for key in rule if key not in ("Variable", "Next", "Assign", "Comment")]
        keys = input_keys(rule.get("Variable"))
        if keys is None or len(keys) != 1 or len(operators) != 1 or operators[0] not in _NUMERIC:
            return None
        operand = rule[operators[0]]
        if type(operand) not in (int, float) or not -_EXACT <= operand <= _EXACT:
            return None
        # (an int literal: a double holds it exactly, and Python compares an int with a float exactly, as doubles
        # compare here; int with int is the cheaper comparison)
        literal = repr(operand) if type(operand) is int else self.ref(float(operand))
        field = f"{data}[{keys[0]!r}]"
        exact = f"type(v := {field}) is float or type(v) is int and -{_EXACT} <= v <= {_EXACT}"
        return f"(v {_NUMERIC[operators[0]]} {literal} if {exact} else {{}})"

    def function(self) -> str:
        """The source of the chain's function (written once the body is: its checks need the longest path)."""
        body = self.lines
        self.lines = []
        entry = self.ref(self.entry)
        self.emit(0, "def fused(self, run, strand, d0):")
        self.emit(1, "if not run.virtual:")
        self.emit(2, f"return {entry}.execute(run, strand, d0)")
        self.emit(1, "rec = strand.rec")
        if self.recorded:
            self.emit(1, "append = rec.trace.append")
            self.emit(1, "chain = strand.chain")
        if self.recorded or self.fails:
            self.emit(1, "t = strand.timeline.now")
        if self.reads_variables:
            self.emit(1, "variables = strand.variables")
        self.emit(1, "vb = strand.var_bound")
        self.emit(1, "bound = strand.bound")
        self.emit(1, "count = rec.count")
        self.emit(1, "T = rec.transitions - 1  # (the run loop counted the entry's transition)")
        # room for the longest path: the run loop checks before each state that count < event limit and
        # transitions < transition limit; with less room, the states run one by one from the entry
        self.emit(1, f"limit = rec.event_limit - {2 * (self.depth - 1)}")
        self.emit(1, f"transition_limit = rec.transition_limit - {self.depth - 1}")
        level = 1
        if self.loops:
            self.emit(1, "while True:")
            level = 2
        self.emit(level, "if count >= limit or T >= transition_limit:")
        self.emit(level + 1, "rec.count = count; rec.transitions = T; strand.bound = bound")
        self.emit(level + 1, f"return {entry}, d0")
        self.lines.extend(("    " * (level - 1)) + line for line in body)
        return "\n".join(self.lines) + "\n"


def write_chain(entry: Node, peers: dict[Node, FusedNode], recorded: bool = True) -> tuple[str, Execute]:
    """The source and the compiled function of the chain from *entry* (see ``_Writer``)."""
    writer = _Writer(entry, peers, recorded)
    writer.chain(entry, "d0", 0, 1, frozenset())
    source = writer.function()
    namespace = dict(writer.scope)
    exec(compile(source, f"<sfnkit fused chain from {entry.name!r}>", "exec"), namespace)
    function: Execute = namespace["fused"]
    return source, function
