"""Cross-compiles the grandparent rule for a feature this CPU lacks (read
from /proc/cpuinfo) and prints how tl-run answers: 'refused: <message>'."""
import subprocess
import sys

compile_, run, family, tmp = sys.argv[1:5]
flags = open("/proc/cpuinfo").read().split("flags")[1].split("\n")[0].split()
# LLVM's feature name -> the /proc/cpuinfo flag.
candidates = [("avx512fp16", "avx512_fp16"), ("amx-tile", "amx_tile"),
              ("avx512bf16", "avx512_bf16"), ("avx512vnni", "avx512_vnni"),
              ("avx512f", "avx512f")]
missing = next((f for f, flag in candidates if flag not in flags), None)
if missing is None:
    print("skipped: this CPU has every feature the test could ask for")
    sys.exit(0)
module = tmp + "/cross.tlm"
c = subprocess.run([compile_, family + "/grandparent.json", "--input-shape=parent=5x5",
                    "--mattr=+" + missing, "--no-cache", "-o", module], capture_output=True, text=True)
if c.returncode != 0:
    print("tl-compile failed: " + c.stderr)
    sys.exit(1)
r = subprocess.run([run, module, "--inputs=" + family + "/parent.npz"], capture_output=True, text=True)
print(("refused: " if r.returncode == 1 else f"exit {r.returncode}: ") + r.stderr.strip())
