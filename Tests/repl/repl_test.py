#!/usr/bin/env python3
"""Drives budgetq's REPL in a real pseudo-terminal, as a person would type at it.

Each step types keys (Tab, Backspace over Chinese characters, Ctrl-C, Up) and waits for the
text the terminal should then show. Run: python3 Tests/repl/repl_test.py --binary .build/debug/budgetq
Standard library only (pty, os, select), so it runs on a fresh machine.
"""
import argparse, fcntl, os, pty, select, signal, struct, sys, tempfile, termios, time

TAB, BACKSPACE, CTRL_C, CTRL_D, CTRL_R, UP, ENTER = "\t", "\x7f", "\x03", "\x04", "\x12", "\x1b[A", "\r"


class Terminal:
    def __init__(self, argv, env, cwd, cols=100, rows=30):
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        self.pid, self.fd, self.buffer = pid, fd, b""
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def type(self, keys, delay=0.05):
        for chunk in keys if isinstance(keys, list) else [keys]:
            os.write(self.fd, chunk.encode("utf-8"))
            time.sleep(delay)

    def expect(self, text, timeout=10):
        """Waits until `text` appears after the last match; returns what came before it."""
        wanted = text.encode("utf-8")
        deadline = time.time() + timeout
        while wanted not in self.buffer:
            remaining = deadline - time.time()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {text!r}; the terminal showed:\n{self.buffer.decode('utf-8', 'replace')!r}")
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    raise AssertionError(f"budgetq exited while waiting for {text!r}; it showed:\n{self.buffer.decode('utf-8', 'replace')!r}")
                self.buffer += data
        before, _, after = self.buffer.partition(wanted)
        self.buffer = after
        return before.decode("utf-8", "replace")

    def wait(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                os.read(self.fd, 65536)
            except OSError:
                pass
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("budgetq did not exit")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/budgetq")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    args = parser.parse_args()
    binary = os.path.abspath(os.path.join(args.root, args.binary)) if not os.path.isabs(args.binary) else args.binary
    state = tempfile.mkdtemp(prefix="budgetq-repl-")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TERM": "xterm", "HOME": state, "XDG_STATE_HOME": state, "LANG": "C.UTF-8"}
    steps = []

    def step(name):
        steps.append(name)
        print(f"  ok  {name}")

    # The published 2024 tables alone, so that every count below is exact.
    seed = ["--data", "datasets/2024-dongguan-economic-cooperation-office.txt"]
    t = Terminal([binary] + seed, env, args.root)
    t.expect("real: 1 published file")
    t.expect("budgetq> ")
    step("banner says what is real, then the prompt")

    # The echo is redrawn in pieces, so each step checks the query's result, not the echo.
    t.type(['projects | where regions has "铜', TAB])
    t.type([" | count", ENTER])
    t.expect("\r\n     2\r\n(1 row)")
    t.expect("budgetq> ")
    step("Tab completes a Chinese value inside quotes")

    t.type(['projects | where name has "巫山县X', BACKSPACE, BACKSPACE, '" | count', ENTER])
    t.expect("\r\n     1\r\n(1 row)")
    t.expect("budgetq> ")
    step("Backspace deletes whole Chinese characters")

    t.type(["projects | where budg", TAB])
    t.type([" >= 1亿 | count", ENTER])
    t.expect("\r\n     3\r\n(1 row)")
    t.expect("budgetq> ")
    step("Tab completes a column name")

    t.type(["projects | wh", TAB, " type == ", TAB])
    t.expect("其他")
    t.type([TAB])
    t.expect("其他运转类（综合类）")
    t.type([CTRL_C])
    t.expect("budgetq> ")
    t.type(["projects | count", ENTER])
    t.expect("\r\n     9\r\n(1 row)")
    t.expect("budgetq> ")
    step("Tab lists several values; Ctrl-C discards a half-typed line without leaving")

    t.type(["execution | select project, rate | where ", TAB])
    t.expect("\r\nproject  rate ")
    t.type([CTRL_C])
    t.expect("budgetq> ")
    step("Tab after `select project, rate | where ` offers exactly project and rate")

    t.type(["项", TAB, "| wh", TAB, "year == 2024 | count", ENTER])
    t.expect("\r\n     9\r\n(1 row)")
    t.expect("budgetq> ")
    step("Tab completes a Chinese table alias, and a unique word with its space")

    t.type(["projects | where year == 2024 and", ENTER])
    t.expect("...> ")
    t.type(["budget < 50万 |", ENTER])
    t.expect("...> ")
    t.type(["count", ENTER])
    t.expect("\r\n     2\r\n(1 row)")
    t.expect("budgetq> ")
    step("continuation lines")

    t.type(["projects | where", ENTER])
    t.expect("...> ")
    t.type(["year == 2024 | count", ENTER])
    before = t.expect("\r\n     9\r\n(1 row)")
    assert "error" not in before, f"the continued statement failed:\n{before!r}"
    t.expect("budgetq> ")
    step("an operator at the end of a line waits for the rest (the lexer's rule)")

    # A paste arrives in one write: the lines starting with | belong to the first one.
    t.type(["projects\r| where budget >= 1亿\r| count\r"])
    before = t.expect("\r\n     3\r\n(1 row)")
    assert "error" not in before, f"the pasted query ran in pieces:\n{before!r}"
    t.expect("budgetq> ")
    step("a pasted query whose later lines start with | runs whole")

    with open(f"/proc/{t.pid}/maps") as maps:
        assert "libedit" in maps.read(), "the REPL runs without libedit loaded?"
    step("the REPL, and only it, loads libedit")

    t.type(["projects | where budgt > 1", ENTER])
    t.expect("did you mean `budget`?")
    t.expect("budgetq> ")
    step("an error shows a hint and keeps the session")

    t.type([".mode csv", ENTER])
    t.expect("budgetq> ")
    t.type(["projects | summarize n = count(), total = sum(budget)", ENTER])
    t.expect("n,total")
    t.expect("9,1618035000.00")
    t.expect("budgetq> ")
    step(".mode csv then a query")

    t.type([".timer on", ENTER])
    t.expect("budgetq> ")
    t.type(["regions | count", ENTER])
    t.expect(" ms\r\n")  # run time: 0.274 ms — milliseconds, three significant digits
    t.expect("budgetq> ")
    step(".timer on prints the query time")

    t.type([CTRL_D])
    code = t.wait()
    assert code == 0, f"Ctrl-D should exit with 0, got {code}"
    step("Ctrl-D on an empty line exits")

    history = os.path.join(state, "budgetq", "history")
    assert os.path.exists(history), "history file was not written"
    t = Terminal([binary] + seed, env, args.root)
    t.expect("budgetq> ")
    t.type([UP, ENTER])
    t.expect("\r\n     4\r\n(1 row)")
    t.expect("budgetq> ")
    t.type([CTRL_R, "1亿", ENTER])
    t.expect("\r\n     3\r\n(1 row)")
    t.expect("budgetq> ")
    t.type([".quit", ENTER])
    assert t.wait() == 0
    step("history survives a restart; Up and Ctrl-R recall it")
    print(f"repl: {len(steps)} steps passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"repl test FAILED: {error}", file=sys.stderr)
        sys.exit(1)
