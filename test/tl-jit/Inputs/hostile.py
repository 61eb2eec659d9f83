"""Writes the hostile input files of hostile-inputs.test into argv[1]."""
import io
import os
import struct
import sys
import zipfile

import numpy as np

out = sys.argv[1]


def npy_header(shape):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }" % shape
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()


# (0, 2^60): a valid zero-size header whose other dimension overflows.
zero_by_huge = npy_header("(0, %d)" % (1 << 60))
with open(os.path.join(out, "zero-by-huge.npy"), "wb") as f:
    f.write(zero_by_huge)
with zipfile.ZipFile(os.path.join(out, "zero-by-huge.npz"), "w") as z:
    z.writestr("x.npy", zero_by_huge)

# Rank 1000.
with open(os.path.join(out, "rank-1000.npy"), "wb") as f:
    f.write(npy_header("(" + "1, " * 1000 + ")") + b"\0" * 8)

# A deflated member whose central directory claims 4 GiB - 16 bytes.
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("x.npy", np.zeros(2).tobytes())
data = bytearray(buf.getvalue())
central = data.find(b"PK\x01\x02")
struct.pack_into("<I", data, central + 24, 0xFFFFFFF0)
with open(os.path.join(out, "claims-4g.npz"), "wb") as f:
    f.write(bytes(data))
