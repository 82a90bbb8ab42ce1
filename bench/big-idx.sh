#!/usr/bin/env bash
# Makes the 1.2M-row IDX set the scale benchmarks use, if it is not there yet: Fashion-MNIST's 60,000 training
# images 20 times over behind one header declaring 1,200,000 records, and the test set as it is; uncompressed, so
# that prepare's tasks can seek to their records. Usage: bench/big-idx.sh <Fashion-MNIST dir (gzipped IDX)> <out dir>
set -euo pipefail
SRC="$1"; DST="$2"
mkdir -p "$DST"
[[ -f "$DST/train-images-idx3-ubyte" ]] && exit 0
python3 - "$SRC" "$DST" <<'PY'
import gzip, os, struct, sys
src, dst = sys.argv[1], sys.argv[2]
def payload(name, header):
    with gzip.open(os.path.join(src, name), "rb") as f:
        head = f.read(header)
        return head, f.read()
head, images = payload("train-images-idx3-ubyte.gz", 16)
_, labels = payload("train-labels-idx1-ubyte.gz", 8)
n = 20 * (len(labels))
with open(os.path.join(dst, "train-images-idx3-ubyte.part"), "wb") as f:
    f.write(struct.pack(">IIII", 0x803, n, 28, 28))
    for _ in range(20):
        f.write(images)
with open(os.path.join(dst, "train-labels-idx1-ubyte"), "wb") as f:
    f.write(struct.pack(">II", 0x801, n))
    for _ in range(20):
        f.write(labels)
for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
    with gzip.open(os.path.join(src, name + ".gz"), "rb") as f, open(os.path.join(dst, name), "wb") as out:
        out.write(f.read())
# the images file appears last, whole: the check for it above then means the set is complete
os.replace(os.path.join(dst, "train-images-idx3-ubyte.part"), os.path.join(dst, "train-images-idx3-ubyte"))
PY
