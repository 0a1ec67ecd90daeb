#!/usr/bin/env python3
"""The arithmetic of scripts/bench: each subcommand prints one figure as
BENCHMARKS.md shows it (python3's standard library only).

  secs T0_NS T1_NS         seconds between two nanosecond clocks, "%.3f"
  ratio A B                A / B, "%.2f" ("-" when B is not above 0)
  rate N SECS              N per second, "%.0f" ("-" when SECS is not above 0)
  us-each SECS N           microseconds per item, "%.1f"
  median-run               stdin: "SECONDS RUN" lines; prints the RUN of the
                           median time (the lower one of an even count)
  send-pps TRACE           probes per second of a trace.log's send phase:
                           SENT lines over the time from the first to the last
  word-after WORD FILE     the word after the last WORD in FILE ("" if none)
  calc EXPR [DIGITS]       the value of an arithmetic expression, rounded
  met EXPR                 "met" or "NOT met": a comparison of this run's
                           figures (numbers, + - * /, < <= == >= >, &&, ||)
  gib KB                   kilobytes as GiB, "%.0f GiB"
  test                     the examples below, as tests

Examples (what `test` checks):
>>> main(["secs", "1000000000", "3500000000"])
2.500
>>> main(["ratio", "10", "4"]); main(["ratio", "1", "0"]); main(["ratio", "1", "-"])
2.50
-
-
>>> main(["rate", "65536", "2.048"])
32000
>>> main(["us-each", "0.5", "100000"])
5.0
>>> median_run(["3.1 1", "2.9 2", "4.0 3"]), median_run(["2 a", "1 b"]), median_run(["7 x"])
('1', 'b', 'x')
>>> send_pps(["PASS (0.0000s) mode=echo targets=2",
...           "SENT (0.0010s) ICMP [a > b Echo request]",
...           "RCVD (0.0015s) ICMP [b > a Echo reply]",
...           "SENT (0.0020s) ICMP [a > c Echo request]",
...           "SENT (0.0030s) ICMP [a > d Echo request]"])
'1500'
>>> send_pps(["SENT (0.0010s) ICMP [a > b]"])
'0'
>>> word_after("found", ["sent 200 found 12 of 200", "found 13"])
'13'
>>> main(["calc", "2 * 61440 / 50000 + 0.2 + 0.5", "2"])
3.16
>>> met("65536 == 65536 && 0 == 0"), met("99000 >= 100000"), met("1 > 2 || 3.5 <= 4")
('met', 'NOT met', 'met')
>>> met("- <= 0.5")
'NOT met'
>>> main(["gib", "8039424"])
8 GiB
"""
import ast
import operator
import re
import sys

SENT = re.compile(r"^SENT \(([0-9.]+)s\)")


def num(s):
    """A number, or None for what is not one ("-", "")."""
    try:
        return float(s)
    except ValueError:
        return None


def ratio(a, b):
    a, b = num(a), num(b)
    return f"{a / b:.2f}" if a is not None and b is not None and b > 0 else "-"


def median_run(lines):
    runs = sorted((float(t), run) for t, run in (line.split() for line in lines if line.strip()))
    return runs[(len(runs) + 1) // 2 - 1][1]


def send_pps(lines):
    times = [float(m.group(1)) for m in map(SENT.match, lines) if m]
    if len(times) < 2 or times[-1] <= times[0]:
        return "0"
    return f"{len(times) / (times[-1] - times[0]):.0f}"


def word_after(word, lines):
    found = ""
    for line in lines:
        words = line.split()
        for i, w in enumerate(words[:-1]):
            if w == word:
                found = words[i + 1]
    return found


_OPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.USub: operator.neg, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Eq: operator.eq,
    ast.GtE: operator.ge, ast.Gt: operator.gt, ast.NotEq: operator.ne,
}


def _eval(node):
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.left), _eval(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.BoolOp):
        values = [_eval(v) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left)
        for op, right in zip(node.ops, node.comparators):
            right = _eval(right)
            if type(op) not in _OPS or not _OPS[type(op)](left, right):
                return False
            left = right
        return True
    raise ValueError(f"not arithmetic: {ast.dump(node)}")


def calc(expr):
    """Arithmetic and comparisons only; && and || as in the shell."""
    return _eval(ast.parse(expr.replace("&&", " and ").replace("||", " or "), mode="eval"))


def met(expr):
    """A figure that is missing ("-") fails its comparison."""
    try:
        return "met" if calc(expr) else "NOT met"
    except (SyntaxError, ValueError, ZeroDivisionError):
        return "NOT met"


def main(argv):
    cmd, args = argv[0], argv[1:]
    if cmd == "secs":
        out = f"{(int(args[1]) - int(args[0])) / 1e9:.3f}"
    elif cmd == "ratio":
        out = ratio(*args)
    elif cmd == "rate":
        secs = num(args[1])
        out = f"{float(args[0]) / secs:.0f}" if secs is not None and secs > 0 else "-"
    elif cmd == "us-each":
        out = f"{float(args[0]) * 1e6 / float(args[1]):.1f}"
    elif cmd == "median-run":
        out = median_run(sys.stdin)
    elif cmd == "send-pps":
        with open(args[0], encoding="utf-8", errors="replace") as f:
            out = send_pps(f)
    elif cmd == "word-after":
        with open(args[1], encoding="utf-8", errors="replace") as f:
            out = word_after(args[0], f)
    elif cmd == "calc":
        digits = int(args[1]) if len(args) > 1 else 0
        out = f"{calc(args[0]):.{digits}f}"
    elif cmd == "met":
        out = met(args[0])
    elif cmd == "gib":
        out = f"{float(args[0]) / 1048576:.0f} GiB"
    elif cmd == "test":
        import doctest

        failures, tests = doctest.testmod()
        out = f"bench_stats: {tests - failures} of {tests} examples right"
        print(out)
        return 1 if failures else None
    else:
        raise SystemExit(__doc__)
    print(out)
    return None


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1:]))
