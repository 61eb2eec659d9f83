"""Prints a tl function that is a chain of argv[1] relu ops."""
import sys

n = int(sys.argv[1])
print("func.func @chain(%x: tensor<4xf64>) -> tensor<4xf64> {")
for i in range(n):
    src = "%x" if i == 0 else "%%v%d" % (i - 1)
    print("  %%v%d = tl.unary relu %s : tensor<4xf64>" % (i, src))
print("  return %%v%d : tensor<4xf64>" % (n - 1))
print("}")
