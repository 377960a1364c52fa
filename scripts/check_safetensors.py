#!/usr/bin/env python3
"""Check that a safetensors file written by slimbench reads back correctly in Python.

Usage: check_safetensors.py FILE EXPECTED_JSON

EXPECTED_JSON looks like
    {"tensors": {"name": {"dtype": "F32", "shape": [2, 3], "values": [...flat, C order...]}},
     "metadata": {"key": "value"}}
("metadata" is optional). Checks that run:
  numpy     safetensors.numpy.load_file: same names, dtypes, shapes and exact values
  metadata  safetensors.safe_open(...).metadata() equals the expected metadata
  layout    header padded to 8 bytes, each tensor aligned to its element size
  torch     (when torch imports) torch.frombuffer on each tensor's byte range, parsed
            from the header by hand, gives the expected values
Exit codes: 0 all checks passed, 1 a mismatch, 2 bad usage or unreadable input,
4 skipped because the safetensors or numpy module is unavailable.
"""

import json
import struct
import sys

EXIT_MISMATCH = 1
EXIT_USAGE = 2
EXIT_SKIPPED = 4

# safetensors dtype -> (numpy dtype name, element size in bytes)
DTYPES = {
    "BOOL": ("bool", 1),
    "U8": ("uint8", 1),
    "I8": ("int8", 1),
    "I16": ("int16", 2),
    "U16": ("uint16", 2),
    "F16": ("float16", 2),
    "I32": ("int32", 4),
    "U32": ("uint32", 4),
    "F32": ("float32", 4),
    "F64": ("float64", 8),
    "I64": ("int64", 8),
    "U64": ("uint64", 8),
}


def expected_array(np, spec):
    """The expected tensor as a numpy array of the declared dtype and shape."""
    numpy_dtype = DTYPES[spec["dtype"]][0]
    return np.array(spec["values"], dtype=numpy_dtype).reshape(spec["shape"])


def compare(np, label, name, actual, expected):
    """Returns a list with one mismatch description, or an empty list."""
    if actual.dtype != expected.dtype:
        return [f"{label}: {name}: dtype {actual.dtype}, expected {expected.dtype}"]
    if tuple(actual.shape) != tuple(expected.shape):
        return [f"{label}: {name}: shape {tuple(actual.shape)}, expected {tuple(expected.shape)}"]
    if not np.array_equal(actual, expected):
        diff = np.abs(actual.astype("float64") - expected.astype("float64")).max()
        return [f"{label}: {name}: values differ (max abs diff {diff})"]
    return []


def check_numpy(np, safetensors_numpy, path, expected):
    loaded = safetensors_numpy.load_file(path)
    problems = []
    if sorted(loaded) != sorted(expected):
        problems.append(f"numpy: names {sorted(loaded)}, expected {sorted(expected)}")
    for name in sorted(set(loaded) & set(expected)):
        problems += compare(np, "numpy", name, loaded[name], expected_array(np, expected[name]))
    return problems


def check_metadata(safetensors, path, expected_metadata):
    with safetensors.safe_open(path, framework="numpy") as handle:
        actual = handle.metadata() or {}
    if actual != expected_metadata:
        return [f"metadata: {actual}, expected {expected_metadata}"]
    return []


def read_header(raw):
    """(header dict, offset of the data buffer) parsed by hand from the file bytes."""
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + length].decode("utf-8")), 8 + length


def check_layout(raw):
    header, data_start = read_header(raw)
    problems = []
    if data_start % 8 != 0:
        problems.append(f"layout: data buffer starts at byte {data_start}, not 8-aligned")
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        size = DTYPES[entry["dtype"]][1]
        begin = entry["data_offsets"][0]
        if begin % size != 0:
            problems.append(f"layout: {name} starts at {begin}, not a multiple of {size}")
    return problems


def check_torch(torch, np, raw, expected):
    """Reads every tensor with torch.frombuffer; returns (problems, names not checked)."""
    torch_dtypes = {
        "BOOL": torch.bool, "U8": torch.uint8, "I8": torch.int8, "I16": torch.int16,
        "F16": torch.float16, "I32": torch.int32, "F32": torch.float32,
        "F64": torch.float64, "I64": torch.int64,
    }
    header, data_start = read_header(raw)
    problems, unchecked = [], []
    for name, spec in sorted(expected.items()):
        entry = header.get(name)
        if entry is None:
            problems.append(f"torch: {name} missing from the header")
            continue
        dtype = torch_dtypes.get(entry["dtype"])
        if dtype is None:  # e.g. U16/U32/U64, which older torch versions lack
            unchecked.append(name)
            continue
        begin, end = (data_start + offset for offset in entry["data_offsets"])
        if begin == end:  # frombuffer refuses empty buffers
            tensor = torch.empty(entry["shape"], dtype=dtype)
        else:
            # bytearray: frombuffer warns about read-only buffers.
            tensor = torch.frombuffer(bytearray(raw[begin:end]), dtype=dtype)
            tensor = tensor.reshape(entry["shape"])
        problems += compare(np, "torch", name, tensor.numpy(), expected_array(np, spec))
    return problems, unchecked


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return EXIT_USAGE
    path, expected_path = argv[1], argv[2]
    try:
        import numpy as np
        import safetensors
        import safetensors.numpy
    except ImportError as error:
        print(f"skipped: {error} (python {sys.executable})")
        return EXIT_SKIPPED
    try:
        with open(expected_path, encoding="utf-8") as handle:
            expected = json.load(handle)
        with open(path, "rb") as handle:
            raw = handle.read()
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    tensors = expected["tensors"]

    problems = []

    def run(label, check, *args):
        """Runs one check; a check that raises (e.g. the file is refused) has failed."""
        try:
            return check(*args)
        except Exception as error:  # noqa: BLE001 - any failure is a mismatch to report
            problems.append(f"{label}: {type(error).__name__}: {error}")
            return None

    problems += run("numpy", check_numpy, np, safetensors.numpy, path, tensors) or []
    print(f"ran: numpy (safetensors {safetensors.__version__}, numpy {np.__version__}),"
          f" {len(tensors)} tensors")
    problems += run("metadata", check_metadata, safetensors, path, expected.get("metadata", {})) or []
    print("ran: metadata")
    problems += run("layout", check_layout, raw) or []
    print("ran: layout")
    try:
        import torch
    except ImportError:
        print("not run: torch (not importable)")
    else:
        torch_problems, unchecked = run("torch", check_torch, torch, np, raw, tensors) or ([], [])
        problems += torch_problems
        skipped = f", no torch dtype for {unchecked}" if unchecked else ""
        print(f"ran: torch {torch.__version__} frombuffer,"
              f" {len(tensors) - len(unchecked)} tensors{skipped}")

    for problem in problems:
        print(f"mismatch: {problem}")
    print("all checks passed" if not problems else f"{len(problems)} mismatches")
    return EXIT_MISMATCH if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
