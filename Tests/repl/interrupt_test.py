#!/usr/bin/env python3
"""Ctrl-C at the REPL stops a running join, sort or summarize, says "interrupted" once, and
the session goes on — typed into a real pseudo-terminal as a person would (see repl_test.py).

The long statements are cross joins of the bundled tables on a constant key (1.4M rows and
more); each is stopped a fraction of a second after it starts, and the next query must answer.
Run: python3 Tests/repl/interrupt_test.py --binary .build/debug/budgetq
"""
import argparse, os, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from repl_test import Terminal, CTRL_C, CTRL_D, ENTER  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/budgetq")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    args = parser.parse_args()
    binary = os.path.abspath(os.path.join(args.root, args.binary)) if not os.path.isabs(args.binary) else args.binary
    state = tempfile.mkdtemp(prefix="budgetq-interrupt-")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm", "HOME": state, "XDG_STATE_HOME": state,
           "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", state), "LANG": "C.UTF-8"}
    steps = []

    def step(name):
        steps.append(name)
        print(f"  ok  {name}")

    t = Terminal([binary, "--data", "datasets"], env, args.root, cols=120)
    t.expect("budgetq> ", timeout=60)
    for definition in ["let a = indicators | select k = 1", "let p = projects | derive k = 1"]:
        t.type([definition, ENTER])
        t.expect("budgetq> ")

    # (what, query, seconds to let it run before Ctrl-C)
    cases = [
        ("join", "a | join a on k | join a on k | count", 0.2),
        ("sort", "a | join a on k | join p on k | sort by name desc, budget, id", 0.5),
        ("summarize", "a | join a on k | join p on k | summarize names = dcount(name), top = max(budget) by id, name", 0.3),
    ]
    for what, query, delay in cases:
        t.type([query, ENTER])
        time.sleep(delay)
        sent = time.time()
        t.type([CTRL_C], delay=0)
        shown = t.expect("interrupted", timeout=30)
        latency = time.time() - sent
        assert "(1 row)" not in shown and "rows)" not in shown, f"the {what} finished before Ctrl-C: {shown!r}"
        after = t.expect("budgetq> ", timeout=10)
        assert "interrupted" not in after, f"'interrupted' was said twice: {after!r}"
        assert "error" not in shown + after, f"Ctrl-C showed an error: {shown + after!r}"
        t.type(["projects | count", ENTER])
        t.expect("\r\n    31\r\n(1 row)")
        t.expect("budgetq> ")
        step(f"Ctrl-C stops a running {what} ({latency:.3f} s), says 'interrupted' once, and the next query answers")

    t.type([CTRL_D])
    assert t.wait() == 0, "the REPL did not exit cleanly after the interrupts"
    step("the REPL still exits with 0")
    print(f"interrupt: {len(steps)} steps passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"interrupt test FAILED: {error}", file=sys.stderr)
        sys.exit(1)
