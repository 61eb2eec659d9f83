#!/usr/bin/python3
"""No tl binary links the CUDA driver: each starts where there is none.

  no_driver_link.py BINARY...

Each ELF file's dynamic section (readelf -d) must not need libcuda; the
driver is opened with dlopen at run time (lib/Runtime/CudaDriver.cpp).
Executables are also started with --version: they must run on this
machine, which may have no driver at all. Exit status 1 on any failure.
"""
import os
import subprocess
import sys


def main():
    failed = []
    for path in sys.argv[1:]:
        if not os.path.exists(path):
            failed.append(f"{path}: missing")
            continue
        out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True)
        if out.returncode != 0:
            failed.append(f"{path}: readelf failed: {out.stderr.strip()}")
            continue
        needed = [line.split("[")[1].rstrip("]") for line in out.stdout.splitlines()
                  if "(NEEDED)" in line]
        if not needed:
            failed.append(f"{path}: no NEEDED entries (not a dynamic ELF file?)")
        cuda = [n for n in needed if n.startswith(("libcuda", "libcudart", "libcublas", "libnvrtc"))]
        if cuda:
            failed.append(f"{path} links {', '.join(cuda)}")
        if os.access(path, os.X_OK) and ".so" not in os.path.basename(path):
            run = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
            if run.returncode != 0:
                failed.append(f"{path} --version exited {run.returncode}: {run.stderr.strip()[:200]}")
        print(f"{os.path.basename(path)}: needs {', '.join(needed)}")
    for f in failed:
        print("FAIL", f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
