#!/usr/bin/env python3
"""How long Ctrl-C takes to stop a long query in the REPL (issue 12 item 8): not a test.

Starts `budgetq --snapshot S` in a pseudo-terminal, as a person at the prompt would, types a
long statement, presses Ctrl-C (byte 0x03, which the terminal turns into SIGINT) after a delay,
and times the keypress to the line `interrupted` and to the next prompt. Each statement is first
run to its end once, so its full time is known and the delays fall inside it.

    python3 bench/interrupt_latency.py --snapshot bench-data/1m.snap [--bin .build/release]
"""
import argparse, os, pty, tempfile, re, select, statistics, subprocess, sys, time

# Each pass runs over the rows of a self-join of `coverage` (9 rows a project: 81M rows at 1M
# projects), made lazily, so the statements stress the operators rather than the snapshot.
JOINED = "coverage | join coverage on project_id"
STATEMENTS = {
    "join": JOINED + " | summarize n = count(), s = sum(indicators) by level1",
    "sort": JOINED + " | sort by indicators desc, level2, project_id | take 1",
    "summarize": JOINED + " | summarize n = count(), s = sum(indicators) by project_id, level2 | count",
    "filter": JOINED + " | where indicators > 1 and len(level2) > 3 | count",
}
PROMPT = re.compile(rb"budgetq> ?$")


class Shell:
    """One REPL in a pseudo-terminal."""

    def __init__(self, binary, snapshot):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "dumb"
            # The statements go to a history of their own, not the user's.
            os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="budgetq-latency-")
            os.execv(binary, [binary, "--snapshot", snapshot])
        self.buffer = b""
        self.wait_for(PROMPT, 120)

    def read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            raise SystemExit("budgetq ended:\n" + self.buffer.decode(errors="replace"))
        self.buffer += chunk
        return True

    def wait_for(self, pattern, timeout):
        """Seconds until `pattern` is in what was printed since the last wait (then forgets it)."""
        start = time.monotonic()
        while True:
            match = pattern.search(self.buffer)
            if match:
                self.last, self.buffer = self.buffer[:match.end()], self.buffer[match.end():]
                return time.monotonic() - start
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                raise SystemExit(f"no {pattern.pattern!r} within {timeout} s; printed:\n"
                                 + self.buffer[-2000:].decode(errors="replace"))
            self.read(left)

    def send(self, text):
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def close(self):
        self.send("\x04")
        os.waitpid(self.pid, 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--snapshot", required=True)
    p.add_argument("--bin", default=".build/release")
    p.add_argument("--tries", type=int, default=5)
    p.add_argument("--only", help="comma-separated statement names")
    a = p.parse_args()
    binary = os.path.join(a.bin, "budgetq")
    rows = subprocess.run([binary, "--snapshot", a.snapshot, "-c", JOINED + " | count", "--format", "csv"],
                          capture_output=True, text=True, check=True).stdout.split()[-1]
    print(f"`{JOINED}`: {int(rows):,} rows; {a.tries} presses per statement, spread over its run\n", flush=True)
    print("| statement | full run s | Ctrl-C → `interrupted`, ms: median (max) | Ctrl-C → prompt, ms: median (max) |")
    print("|---|---:|---:|---:|")
    shell = Shell(binary, a.snapshot)
    names = a.only.split(",") if a.only else list(STATEMENTS)
    for name in names:
        statement = STATEMENTS[name]
        start = time.monotonic()
        shell.send(statement + "\n")
        shell.wait_for(re.compile(rb"\n[^\n]*budgetq> ?$"), 600)
        full = time.monotonic() - start
        if b"error" in shell.last:
            raise SystemExit(shell.last.decode(errors="replace"))
        to_line, to_prompt = [], []
        if full < 0.3:
            print(f"| `{statement}` | {full:.2f} | too quick to press during | |", flush=True)
            continue
        for k in range(a.tries):
            delay = full * (0.1 + 0.6 * k / max(1, a.tries - 1))
            shell.send(statement + "\n")
            time.sleep(delay)
            pressed = time.monotonic()
            shell.send(b"\x03")
            shell.wait_for(re.compile(rb"interrupted"), 60)
            to_line.append(time.monotonic() - pressed)
            shell.wait_for(PROMPT, 60)
            to_prompt.append(time.monotonic() - pressed)
        ms = lambda xs: f"{statistics.median(xs) * 1000:.0f} ({max(xs) * 1000:.0f})"
        print(f"| `{statement}` | {full:.2f} | {ms(to_line)} | {ms(to_prompt)} |", flush=True)
    shell.close()


if __name__ == "__main__":
    main()
