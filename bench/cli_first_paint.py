"""Seconds from spawning ``complaint-tui`` in a pseudo-terminal to its first case row on screen.

    python bench/cli_first_paint.py --db URL [--as NAME] [--runs 5] [--size 120x40]

The real program on a real (pseudo-)terminal: interpreter start, the CLI, the schema check, the
Textual driver and the bytes it writes. The clock stops when a case reference (C-YYYY-NNNNN)
arrives on the terminal, i.e. when the agent could read it. Prints the runs and their median.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import sys
import termios
import time

REF = re.compile(rb"C-\d{4}-\d{5}")


def one_run(command: list[str], env: dict[str, str], cols: int, rows: int, timeout: float) -> float:
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the program, on the pty's terminal
        os.execvpe(command[0], command, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    seen = b""
    try:
        while True:
            left = started + timeout - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no case row appeared")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the program ended
                raise RuntimeError(seen[-2000:].decode(errors="replace")) from None
            seen = seen[-64:] + chunk  # a ref may straddle two reads
            if REF.search(seen):
                return time.perf_counter() - started
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--as", dest="agent", default="anh.vo")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", default="120x40")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.split("x"))
    program = shutil.which("complaint-tui") or str(sys.executable) + " -m complaint_tui"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINT_TUI_")}
    env.update(
        COMPLAINT_TUI_DB=args.db, TERM="xterm-256color", TEXTUAL_ANIMATIONS="none", COLORTERM=""
    )
    if args.db.startswith("sqlite"):
        env["COMPLAINT_TUI_AGENT"] = args.agent
    times = [one_run(program.split(), env, cols, rows, args.timeout) for _ in range(args.runs)]
    print(" ".join(f"{t:.3f}" for t in times), f"median {statistics.median(times):.3f} s")


if __name__ == "__main__":
    main()
