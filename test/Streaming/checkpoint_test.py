#!/usr/bin/python3
"""Stream checkpoints are validated, never trusted (issue 14).

  checkpoint_test.py --tool BUILD/bin/tl-jit --graph rules.mlir

A genuine checkpoint is made by killing a throttled run after its second
chunk. Then every hostile variant is refused with exit status 1 and a
message naming the checkpoint (never a signal, never exit 0 with wrong
outputs): edited values (checksum), edited values with a recomputed
checksum (chunk of 0 rows, next row NaN, 1e30, past the end, not after a
whole chunk), unexpected members (accX, acc4000000000), missing fields,
garbage bytes, and a resume over another input file of the same shape.
A write-once output deleted before the resume is written again; a
deleted concatenated output is refused.
"""
import argparse
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--tool", required=True)
ap.add_argument("--graph", required=True)
args = ap.parse_args()

tmp = tempfile.mkdtemp(prefix="tl-ckpt-")
rng = np.random.default_rng(5)
knows = rng.random((16, 4))
w = rng.random((4, 3))
np.save(os.path.join(tmp, "knows.npy"), knows)
np.save(os.path.join(tmp, "w.npy"), w)
other = knows.copy()
other[0, 0] += 1  # same shape, other data
np.save(os.path.join(tmp, "other.npy"), other)


def cmd(out, ckpt, knows_file="knows.npy", throttle=0):
    return [args.tool, args.graph, "--stream=knows",
            "--stream-input=knows=" + os.path.join(tmp, knows_file),
            "--stream-input=w=" + os.path.join(tmp, "w.npy"),
            "--stream-chunk-rows=2", "--output-dir=" + out,
            "--checkpoint=" + ckpt, "--stream-throttle-ms=%d" % throttle]


# The uninterrupted outputs.
ref_out = os.path.join(tmp, "ref")
r = subprocess.run(cmd(ref_out, os.path.join(tmp, "ref.ckpt")), capture_output=True, text=True)
if r.returncode != 0:
    sys.exit("streaming failed: " + r.stderr)
names = sorted(f for f in os.listdir(ref_out) if f.endswith(".npy"))

# A genuine checkpoint: kill a throttled run after its second chunk.
live_out = os.path.join(tmp, "live")
live_ckpt = os.path.join(tmp, "live.ckpt")
p = subprocess.Popen(cmd(live_out, live_ckpt, throttle=300), stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
deadline = time.time() + 60
while time.time() < deadline:
    if os.path.exists(live_ckpt):
        with zipfile.ZipFile(live_ckpt) as z:
            meta = np.load(io.BytesIO(z.read("meta.npy")))
        if meta[2] >= 4:
            break
    time.sleep(0.01)
p.send_signal(signal.SIGKILL)
p.wait()
good = open(live_ckpt, "rb").read()
snapshot = os.path.join(tmp, "snapshot")
shutil.copytree(live_out, snapshot)


def tl_npy(array):
    """The bytes tl's serializeNpy writes for a 1-D array (what the
    checksum covers)."""
    descr = {np.dtype("float64"): "<f8", np.dtype("uint8"): "|u1"}[array.dtype]
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }" % (descr, array.size)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return (b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
            + array.tobytes())


def members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(n[:-4], np.load(io.BytesIO(z.read(n)))) for n in z.namelist()]


def pack(entries, checksum=True):
    entries = [(n, a) for n, a in entries if n != "checksum"]
    if checksum:
        digest = hashlib.sha256(b"".join(n.encode() + b"\0" + tl_npy(a) for n, a in entries))
        entries.append(("checksum", np.frombuffer(digest.hexdigest().encode(), np.uint8)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, a in entries:
            z.writestr(n + ".npy", tl_npy(a))
    return out.getvalue()


def with_meta(index, value):
    entries = members(good)
    for n, a in entries:
        if n == "meta":
            a[index] = value
    return pack(entries)


failures = []


def resume(label, data, expect, knows_file="knows.npy"):
    out = os.path.join(tmp, "case-" + label)
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(snapshot, out)
    ckpt = out + ".ckpt"
    with open(ckpt, "wb") as f:
        f.write(data)
    r = subprocess.run(cmd(out, ckpt, knows_file), capture_output=True, text=True)
    ok = r.returncode == 1 and ckpt in r.stderr and expect in r.stderr
    print("%s %s: exit %d: %s" % ("PASS" if ok else "FAIL", label, r.returncode,
                                 r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""))
    if not ok:
        failures.append(label)


entries = members(good)
edited = [(n, a.copy()) for n, a in entries]
for n, a in edited:
    if n == "meta":
        a[2] = 2
# Edited values without a checksum, and with the old one.
resume("no-checksum", pack(edited, checksum=False), "is incomplete")
stale = io.BytesIO()
with zipfile.ZipFile(stale, "w") as z:
    for n, a in edited:
        z.writestr(n + ".npy", tl_npy(a))
resume("stale-checksum", stale.getvalue(), "fails its checksum")
resume("chunk-0", with_meta(1, 0), "has a chunk of 0 rows")
resume("next-row-nan", with_meta(2, float("nan")), "has an invalid 'meta' value")
resume("next-row-1e30", with_meta(2, 1e30), "has an invalid 'meta' value")
resume("next-row-past-end", with_meta(2, 18), "resumes at row 18")
resume("next-row-mid-chunk", with_meta(2, 3), "resumes at row 3, not after a whole chunk")
resume("acc-x", pack(entries + [("accX", np.zeros(3))]), "unexpected member 'accX'")
resume("acc-huge", pack(entries + [("acc4000000000", np.zeros(3))]),
       "unexpected member 'acc4000000000'")
resume("no-meta", pack([(n, a) for n, a in entries if n != "meta"]), "is incomplete")
resume("garbage", b"PK\x03\x04" + os.urandom(200), "is unreadable")
resume("other-input", good, "belongs to another graph or other inputs", "other.npy")

def resume_copy(label, lost=None):
    """Resumes the genuine checkpoint over a copy of the killed run's
    outputs, with the output file `lost` deleted first."""
    out = os.path.join(tmp, label)
    shutil.copytree(snapshot, out)
    with open(out + ".ckpt", "wb") as f:
        f.write(good)
    if lost:
        os.remove(os.path.join(out, lost))
    r = subprocess.run(cmd(out, out + ".ckpt"), capture_output=True, text=True)
    same = r.returncode == 0 and all(
        open(os.path.join(out, n), "rb").read() == open(os.path.join(ref_out, n), "rb").read()
        for n in names)
    return r, same


# A write-once output lost before the resume is written again.
r, same = resume_copy("once", "weights.npy")
print("%s write-once output rewritten on resume" % ("PASS" if same else "FAIL"))
if not same:
    failures.append("once: " + r.stderr)

# A concatenated output lost before the resume is refused.
r, _ = resume_copy("concat", "rule.npy")
ok = r.returncode == 1 and "rule.npy' is missing" in r.stderr
print("%s lost concatenated output refused: %s" % ("PASS" if ok else "FAIL", r.stderr.strip()))
if not ok:
    failures.append("concat")

# The genuine checkpoint resumes to the uninterrupted outputs.
r, same = resume_copy("genuine")
same = same and "resumed at row" in r.stdout
print("%s genuine checkpoint resumes to identical outputs" % ("PASS" if same else "FAIL"))
if not same:
    failures.append("genuine: " + r.stdout + r.stderr)

shutil.rmtree(tmp, ignore_errors=True)
if failures:
    print("FAILED: " + ", ".join(failures))
    sys.exit(1)
print("all checkpoint checks passed")
