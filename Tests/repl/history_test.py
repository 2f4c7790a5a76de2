#!/usr/bin/env python3
"""Two REPLs on one history file, as two terminals of one person: both keep their entries.

Each REPL runs in its own pseudo-terminal (see repl_test.py). Checked: entries typed in turn into
two sessions all reach the file in the order they were typed; entries typed into both at once
(the lock's work) all reach it; the file is trimmed to $BUDGETQ_HISTORY_SIZE keeping the newest;
a new session recalls the newest entry with Up.
Run: python3 Tests/repl/history_test.py --binary .build/debug/budgetq
"""
import argparse, os, re, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from repl_test import Terminal, CTRL_D, UP, ENTER  # noqa: E402


def entries(path):
    """The history file's entries, oldest first (libedit's format: a header, then one strvis(3)-encoded entry a line)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines and lines[0] == "_HiStOrY_V2_", f"not a libedit history file: {lines[:2]!r}"
    return [re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line).replace("\\\\", "\\") for line in lines[1:]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/budgetq")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    args = parser.parse_args()
    binary = os.path.abspath(os.path.join(args.root, args.binary)) if not os.path.isabs(args.binary) else args.binary
    state = tempfile.mkdtemp(prefix="budgetq-history-")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm", "HOME": state, "XDG_STATE_HOME": state,
           "LANG": "C.UTF-8", "BUDGETQ_HISTORY_SIZE": "100"}
    history = os.path.join(state, "budgetq", "history")
    seed = ["--data", "datasets/2024-dongguan-economic-cooperation-office.txt"]
    steps = []

    def step(name):
        steps.append(name)
        print(f"  ok  {name}")

    def run(terminal, query, rows):
        terminal.type([query, ENTER])
        terminal.expect(f"({rows} row{'s' if rows != 1 else ''})")
        terminal.expect("budgetq> ")

    a = Terminal([binary] + seed, env, args.root)
    b = Terminal([binary] + seed, env, args.root)
    a.expect("budgetq> ")
    b.expect("budgetq> ")
    run(a, "regions | count", 1)
    run(b, "projects | count", 1)
    run(a, "projects | take 2", 2)
    got = entries(history)
    assert got == ["regions | count", "projects | count", "projects | take 2"], f"entries lost or out of order: {got!r}"
    step("two REPLs typed in turn: the file keeps every entry of both, in order")

    # Both at once: each write reaches its terminal before either REPL has handled the last.
    for i in range(1, 9):
        a.type([f"projects | take {i}", ENTER], delay=0)
        b.type([f"regions | take {i}", ENTER], delay=0)
    # A typed-ahead line is read at the continuation prompt, so count results, not prompts.
    for t, table in ((a, "projects"), (b, "regions")):
        t.type([f"{table} | summarize marker = count()", ENTER])
        t.expect("marker", timeout=30)
        t.expect("budgetq> ")
    got = entries(history)
    for i in range(1, 9):
        for wanted in (f"projects | take {i}", f"regions | take {i}"):
            assert wanted in got, f"{wanted!r} was lost when both REPLs wrote at once: {got!r}"
    step("two REPLs typing at once: no entry lost (append under the lock)")

    for t in (a, b):
        t.type([CTRL_D])
        assert t.wait() == 0

    # Trimming keeps the newest: a session with a smaller history size rewrites the file.
    before = entries(history)
    small = dict(env, BUDGETQ_HISTORY_SIZE="3")
    c = Terminal([binary] + seed, small, args.root)
    c.expect("budgetq> ")
    run(c, "indicators | count", 1)
    run(c, "coverage | count", 1)
    got = entries(history)
    assert len(got) == 3, f"the file was not trimmed to 3 entries: {got!r}"
    assert got[1:] == ["indicators | count", "coverage | count"] and got[0] == before[-1], f"trimming did not keep the newest: {got!r}"
    c.type([CTRL_D])
    assert c.wait() == 0
    step("trimming to $BUDGETQ_HISTORY_SIZE keeps the newest entries")

    d = Terminal([binary] + seed, env, args.root)
    d.expect("budgetq> ")
    d.type([UP, ENTER])
    d.expect("coverage | count")
    d.expect("(1 row)")
    d.expect("budgetq> ")
    d.type([".quit", ENTER])
    assert d.wait() == 0
    step("a new REPL recalls the newest shared entry with Up")
    print(f"history: {len(steps)} steps passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"history test FAILED: {error}", file=sys.stderr)
        sys.exit(1)
