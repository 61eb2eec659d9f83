#!/usr/bin/python3
"""Runs the README's tour as written (issue 14).

  readme_tour.py --readme README.md --build BUILD --source SRC

Every command of the tour's shell block runs with `bash`, from a scratch
directory holding links to the source tree's examples and to the build's
bin/, so the paths are the README's own. A command must exit 0; one that
pipes into graphviz's `dot` is skipped (and said so) where dot is not
installed (`utils/bootstrap.sh --tour` installs it).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ap = argparse.ArgumentParser()
ap.add_argument("--readme", required=True)
ap.add_argument("--build", required=True)
ap.add_argument("--source", required=True)
args = ap.parse_args()

text = open(args.readme).read()
tour = text[text.index("## A tour"):]
block = re.search(r"```sh\n(.*?)```", tour, re.S).group(1)
commands = [line for line in block.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
if len(commands) < 10:
    sys.exit("the tour has %d commands; expected the README's whole tour" % len(commands))

work = tempfile.mkdtemp(prefix="tl-tour-")
os.makedirs(os.path.join(work, "build"))
os.symlink(os.path.abspath(os.path.join(args.build, "bin")), os.path.join(work, "build", "bin"))
os.symlink(os.path.abspath(os.path.join(args.source, "examples")), os.path.join(work, "examples"))

failures = []
for command in commands:
    if "| dot " in command and shutil.which("dot") is None:
        print("SKIP (graphviz not installed) " + command)
        continue
    r = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=work,
                       capture_output=True, text=True, timeout=300)
    status = "PASS" if r.returncode == 0 else "FAIL"
    print("%s %s" % (status, command))
    if r.returncode != 0:
        failures.append(command + "\n" + r.stderr.strip())

shutil.rmtree(work, ignore_errors=True)
if failures:
    print("FAILED:\n" + "\n".join(failures))
    sys.exit(1)
print("the tour ran as written: %d commands" % len(commands))
