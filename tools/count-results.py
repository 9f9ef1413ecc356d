#!/usr/bin/python3
"""Sum the results of every test meson ran into one line "N passed, N failed".

meson 1.0 prints no such line and counts a test program as one test. We count
what ran inside each: TAP results (GTest --tap), pytest's summary, and one
result for any other test. The log holds each test's environment: it is read,
never printed.
"""

import json
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b(.*)$", re.M)
# meson 1.0 keeps no protocol in its JSON log: a TAP plan ("1..N") on a line
# of its own marks TAP output too (the gjs suites print TAP without --tap).
TAP_PLAN = re.compile(r"^1\.\.[0-9]+\s*$", re.M)
PYTEST = re.compile(r"=+ (.*?) in [0-9.]+s", re.M)


def count(entry):
    result = entry.get("result")
    out = entry.get("stdout") or ""
    passed = failed = skipped = 0
    if entry.get("protocol") == "tap" or TAP.search(out) and (
            "--tap" in " ".join(entry.get("command", [])) or TAP_PLAN.search(out)):
        for status, rest in TAP.findall(out):
            if status == "ok":
                if "# SKIP" in rest:
                    skipped += 1
                else:
                    passed += 1
            else:
                failed += 1
    else:
        m = None
        for m in PYTEST.finditer(out):
            pass
        if m and re.search(r"\d+ (passed|failed|skipped|error)", m.group(1)):
            for n, what in re.findall(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)", m.group(1)):
                n = int(n)
                if what == "passed" or what == "xfailed":
                    passed += n
                elif what == "skipped":
                    skipped += n
                else:
                    failed += n
    # The program's own verdict wins when it disagrees (a crash after the
    # last result, a timeout, a test that printed nothing countable).
    if result in ("OK", "EXPECTEDFAIL"):
        if passed + failed + skipped == 0:
            passed = 1
    elif result == "SKIP":
        if passed + failed + skipped == 0:
            skipped = 1
    else:
        if failed == 0:
            failed = 1
    return passed, failed, skipped


def main():
    totals = [0, 0, 0]
    for path in sys.argv[1:]:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                p, fl, s = count(json.loads(line))
                totals[0] += p
                totals[1] += fl
                totals[2] += s
    line = f"{totals[0]} passed, {totals[1]} failed"
    if totals[2]:
        line += f", {totals[2]} skipped"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
