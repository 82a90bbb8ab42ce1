"""Fashion-MNIST IDX files (gzipped or plain) as float32 arrays scaled to [0, 1], as Distillery's IdxReader reads them."""
import gzip
import os
import struct

import numpy as np

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


class DataError(Exception):
    """A missing or malformed data file; the message names the file and what was expected."""


def _open(directory, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path, (gzip.open if name.endswith(".gz") else open)
    raise DataError(f"{os.path.join(directory, stem)}(.gz) not found: expected the four Fashion-MNIST IDX files in {directory}")


def _read(directory, stem, magic, dims):
    path, opener = _open(directory, stem)
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 + 4 * dims or struct.unpack(">I", data[:4])[0] != magic:
        raise DataError(f"{path} is not an IDX file with magic {magic:#x}")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise DataError(f"{path} holds {body.size} bytes of data, its header promises {shape}")
    return body.reshape(shape)


def load(directory, split, limit=0):
    """Images [n, 1, 28, 28] float32 in [0, 1] and labels [n] int64 of one split, the first `limit` rows if > 0."""
    images_stem, labels_stem = FILES[split]
    images = _read(directory, images_stem, 0x803, 3)
    labels = _read(directory, labels_stem, 0x801, 1)
    if images.shape[0] != labels.shape[0]:
        raise DataError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels in {directory}")
    if limit > 0:
        images, labels = images[:limit], labels[:limit]
    x = (images.astype(np.float32) / 255.0).reshape(-1, 1, images.shape[1], images.shape[2])
    return x, labels.astype(np.int64)


def split_validation(x, y, fraction, seed):
    """A seeded random train/validation split with the given validation fraction."""
    order = np.random.default_rng(seed).permutation(len(y))
    n_val = int(round(len(y) * fraction))
    val, train = order[:n_val], order[n_val:]
    return (x[train], y[train]), (x[val], y[val])
