"""Checks a tl-jit --trace file: JSON, nesting, one span per node per run."""
import collections
import json
import sys

events = json.load(open(sys.argv[1]))["traceEvents"]
spans = [e for e in events if e["ph"] == "X"]
compile_ = [e for e in spans if e["cat"] == "compile"]
phases = [e for e in spans if e["cat"] == "compile phase"]
runs = [e for e in spans if e["cat"] == "run"]
nodes = [e for e in spans if e["cat"] == "node"]
assert len(compile_) == 1
print("compile phases: " + ", ".join(p["name"] for p in phases))
print("runs: %d" % len(runs))
for name, n in sorted(collections.Counter(e["name"] for e in nodes).items()):
    print("%s: %d" % (name, n))


def inside(child, parent):
    return (child["tid"] == parent["tid"] and child["ts"] >= parent["ts"]
            and child["ts"] + child["dur"] <= parent["ts"] + parent["dur"])


assert all(inside(p, compile_[0]) for p in phases)
for r in runs:
    assert r["ts"] >= compile_[0]["ts"] + compile_[0]["dur"]
for e in nodes:
    assert sum(inside(e, r) for r in runs) == 1, e
# Spans on one thread never partly overlap (they nest or follow).
for tid in {e["tid"] for e in spans}:
    mine = sorted((e for e in spans if e["tid"] == tid), key=lambda e: (e["ts"], -e["dur"]))
    stack = []
    for e in mine:
        while stack and e["ts"] >= stack[-1]["ts"] + stack[-1]["dur"]:
            stack.pop()
        assert not stack or inside(e, stack[-1]), (e, stack[-1])
        stack.append(e)
print("nesting ok")
