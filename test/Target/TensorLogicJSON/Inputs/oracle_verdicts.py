"""Prints the oracle's verdict on every .json file of argv[2], sorted."""
import glob
import json
import os
import sys

sys.path.insert(0, sys.argv[1])
import oracle  # noqa: E402

for path in sorted(glob.glob(os.path.join(sys.argv[2], "*.json"))):
    try:
        oracle.parse_graph(json.load(open(path)))
        verdict = "accepted"
    except Exception as e:  # the oracle's ContractError
        verdict = str(e)
    print(os.path.basename(path) + ": " + verdict)
