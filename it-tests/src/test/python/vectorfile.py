"""The text format of cnn4j's reference vectors, shared by the make_*_vectors.py scripts.

Each case is 'case <id> <op> [<key>=<value> ...]', then 'tensor <role> <shape> <values...>' lines, then 'end';
the Java reader is it-tests' ReferenceVectors. Values are float32 written as the shortest decimal that reads
back to the same float32.
"""

import math
import os
import sys

import numpy
import torch


def fmt_value(v):
    """The shortest decimal that parses back to the same float32 (numpy's float32 repr), without a trailing '.0'."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    text = str(numpy.float32(v))
    assert float(numpy.float32(text)) == float(numpy.float32(v)), (v, text)
    return text[:-2] if text.endswith(".0") else text


def fmt_tensor(role, t):
    """'tensor <role> <shape> <values>'; shape is comma-separated extents or 'scalar' for rank 0."""
    t = t.detach().to(torch.float32).contiguous()
    shape = "scalar" if t.dim() == 0 else ",".join(str(d) for d in t.shape)
    values = " ".join(fmt_value(v) for v in t.reshape(-1).tolist())
    return "tensor %s %s %s" % (role, shape, values)


def fmt_key(v):
    """A case key: booleans as true/false, sequences comma-separated, floats as float32 decimals."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    if isinstance(v, float):
        return fmt_value(v)
    return str(v)


class Writer:
    """Collects cases; ids must be unique."""

    def __init__(self):
        self.lines = []
        self.ids = set()

    def head(self, cid, op, keys_text):
        assert cid not in self.ids, cid
        self.ids.add(cid)
        self.lines.append("case %s %s%s" % (cid, op, keys_text))

    def case(self, cid, op, tensors, **keys):
        """tensors: role -> tensor (None entries are left out), in order."""
        self.head(cid, op, "".join(" %s=%s" % (k, fmt_key(v)) for k, v in keys.items()))
        for role, t in tensors.items():
            if t is not None:
                self.lines.append(fmt_tensor(role, t))
        self.lines.append("end")

    def write(self, name, header):
        """Writes it-tests/src/test/resources/reference/<name> with the header, reporting on stderr."""
        here = os.path.dirname(os.path.abspath(__file__))
        target = os.path.normpath(os.path.join(here, "..", "resources", "reference", name))
        text = header + "\n".join(self.lines) + "\n"
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="ascii") as f:
            f.write(text)
        print("wrote %d cases, %d bytes to %s" % (len(self.ids), len(text), target), file=sys.stderr)
