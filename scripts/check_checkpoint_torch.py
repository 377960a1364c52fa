#!/usr/bin/env python3
"""Check that a slimbench checkpoint loads in Python's safetensors and in PyTorch.

Usage:
  check_checkpoint_torch.py CHECKPOINT [--dataset-dir DIR | --no-dataset]
                            [--expect-eval-json FILE] [--accuracy-tolerance A]
                            [--loss-tolerance R]

Steps:
  1. safetensors.numpy.load_file reads every tensor; the same bytes parsed by hand from
     the header, and safetensors.torch (when importable), must give identical values.
  2. __metadata__ (safe_open(...).metadata()) names the architecture; the same
     architecture is rebuilt in torch, written by hand from models/*.cpp, and
     load_state_dict(strict=True) must accept the checkpoint. Checkpoints carry BatchNorm's
     running_mean/running_var but not torch's num_batches_tracked counter, which only
     matters for momentum=None; it is filled with 0 and reported.
  3. A forward pass on a fixed random batch must give finite logits of the right shape.
  4. Unless --no-dataset: the test split of an IDX directory (default: Debian's
     Fashion-MNIST, or $SLIMBENCH_FASHION_MNIST_DIR as for slimbench) is normalised
     exactly as slimbench does it, (pixel/255 - mean)/std with mean/std over all TRAIN
     pixels, and evaluated in eval mode. With --expect-eval-json
     (the output of `slimbench eval --json` on the same data) accuracy must agree within
     --accuracy-tolerance (absolute, default 1e-4) and the mean test loss within
     --loss-tolerance (relative, default 1e-4).

Prints one JSON object: {"accuracy", "tensors", "max_abs_diff_vs_safetensors_numpy", ...}.
Exit codes: 0 all checks passed, 1 a mismatch, 2 bad usage or unreadable input,
4 skipped because torch, numpy or safetensors is unavailable.

The torch architectures defined here (define_zoo) are also used by make_torch_fixtures.py.
"""

import argparse
import gzip
import json
import math
import os
import struct
import sys

EXIT_MISMATCH = 1
EXIT_USAGE = 2
EXIT_SKIPPED = 4

# slimbench's own default, including the override its tests use.
DEFAULT_DATASET_DIR = (os.environ.get("SLIMBENCH_FASHION_MNIST_DIR")
                       or "/usr/share/datasets/fashion-mnist")

# Layer kinds the hand-written torch architectures can stand for. A compressed checkpoint
# (quantized, factored, ...) has other kinds and cannot load into a dense torch model.
DENSE_KINDS = {"linear", "conv2d", "batchnorm1d", "batchnorm2d", "relu", "maxpool2d",
               "avgpool2d", "global_avgpool", "flatten", "add", "dropout"}

# safetensors dtype -> (numpy dtype, element size)
DTYPES = {
    "BOOL": ("bool", 1), "U8": ("uint8", 1), "I8": ("int8", 1), "I16": ("<i2", 2),
    "U16": ("<u2", 2), "F16": ("<f2", 2), "I32": ("<i4", 4), "U32": ("<u4", 4),
    "F32": ("<f4", 4), "F64": ("<f8", 8), "I64": ("<i8", 8), "U64": ("<u8", 8),
}


class Mismatch(Exception):
    """A check found the checkpoint and its Python reading disagree."""


# ---- torch architectures, mirroring models/lenet.cpp, models/resnet.cpp, models/mlp.cpp ----


def define_zoo(torch):
    """{zoo name: builder(sample_shape, num_classes) -> torch.nn.Module}.

    Module names reproduce slimbench's node names, so state_dict keys equal checkpoint
    tensor names ("conv1.weight", "layer2.shortcut.bn.running_var"). Nodes without
    parameters (relu, pool, flatten, add) are modules too where that keeps the order
    readable; they add no state_dict keys.
    """
    from collections import OrderedDict

    nn = torch.nn

    def lenet_5(sample_shape, num_classes):
        channels, height, width = sample_shape
        # Two valid 5x5 convolutions, each followed by 2x2/2 max pooling (floor mode).
        def reduce(size):
            return ((size - 4) // 2 - 4) // 2
        flat = 50 * reduce(height) * reduce(width)
        return nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(channels, 20, 5, 1, 0, bias=True)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool2d(2, 2, 0)),
            ("conv2", nn.Conv2d(20, 50, 5, 1, 0, bias=True)),
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool2d(2, 2, 0)),
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(flat, 500)),
            ("relu3", nn.ReLU()),
            ("fc2", nn.Linear(500, num_classes)),
        ]))

    def conv(cin, cout, kernel, stride):
        # resnet.cpp: padding kernel/2, never a bias (BatchNorm follows every conv).
        return nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False)

    class BasicBlock(nn.Module):
        """conv-bn-relu-conv-bn, plus the shortcut, then relu (resnet.cpp basic_block)."""

        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = conv(cin, cout, 3, stride)
            self.bn1 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
            self.relu1 = nn.ReLU()
            self.conv2 = conv(cout, cout, 3, 1)
            self.bn2 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
            self.shortcut = None
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(OrderedDict([
                    ("conv", conv(cin, cout, 1, stride)),
                    ("bn", nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)),
                ]))
            self.relu2 = nn.ReLU()

        def forward(self, x):
            main = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
            shortcut = x if self.shortcut is None else self.shortcut(x)
            return self.relu2(main + shortcut)

    class ResNet8(nn.Module):
        def __init__(self, sample_shape, num_classes):
            super().__init__()
            self.stem = nn.Sequential(OrderedDict([
                ("conv", conv(sample_shape[0], 16, 3, 1)),
                ("bn", nn.BatchNorm2d(16, eps=1e-5, momentum=0.1)),
                ("relu", nn.ReLU()),
            ]))
            self.layer1 = BasicBlock(16, 16, 1)
            self.layer2 = BasicBlock(16, 32, 2)
            self.layer3 = BasicBlock(32, 64, 2)
            self.fc = nn.Linear(64, num_classes)

        def forward(self, x):
            x = self.layer3(self.layer2(self.layer1(self.stem(x))))
            return self.fc(x.mean((2, 3)))  # the "pool" node: global average pooling

    def mlp(hidden, dropout):
        def build(sample_shape, num_classes):
            layers = [("flatten", nn.Flatten())]
            width = math.prod(sample_shape)
            for index, size in enumerate(hidden, start=1):
                layers.append((f"fc{index}", nn.Linear(width, size)))
                layers.append((f"relu{index}", nn.ReLU()))
                if dropout > 0:
                    layers.append((f"drop{index}", nn.Dropout(dropout)))
                width = size
            layers.append((f"fc{len(hidden) + 1}", nn.Linear(width, num_classes)))
            return nn.Sequential(OrderedDict(layers))
        return build

    return {
        "lenet-300-100": mlp([300, 100], 0.0),
        "lenet-5": lenet_5,
        "resnet-8": ResNet8,
        "mlp-1200": mlp([1200, 1200], 0.3),
        "mlp-800": mlp([800, 800], 0.0),
        "mlp-64": mlp([64, 64], 0.0),
    }


# ---- reading the checkpoint ----


def parse_raw(np, path):
    """{name: array} and the metadata, parsed from the file bytes without safetensors."""
    with open(path, "rb") as handle:
        raw = handle.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length].decode("utf-8"))
    data_start = 8 + length
    arrays = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = (data_start + offset for offset in entry["data_offsets"])
        dtype = np.dtype(DTYPES[entry["dtype"]][0])
        arrays[name] = np.frombuffer(raw[begin:end], dtype=dtype).reshape(entry["shape"])
    return arrays, header.get("__metadata__", {})


def max_abs_diff(np, a, b):
    """Largest |a - b|, or raises Mismatch when shapes or dtypes disagree."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        raise Mismatch(f"shape/dtype {a.shape}/{a.dtype} vs {b.shape}/{b.dtype}")
    if a.size == 0:
        return 0.0
    return float(np.abs(a.astype("float64") - b.astype("float64")).max())


def compare_readers(np, reference, other, label):
    """Max |diff| between two {name: array} readings that must hold the same names."""
    if sorted(reference) != sorted(other):
        raise Mismatch(f"{label}: names {sorted(other)} differ from {sorted(reference)}")
    worst = 0.0
    for name in sorted(reference):
        try:
            worst = max(worst, max_abs_diff(np, other[name], reference[name]))
        except Mismatch as error:
            raise Mismatch(f"{label}: {name}: {error}") from None
    return worst


def split_masks(np, state):
    """Drops "<param>_mask" tensors after checking the masked weights are really zero."""
    dense = {}
    masks = 0
    for name, value in state.items():
        if name.endswith("_mask") and name[:-5] in state:
            weight = state[name[:-5]]
            if np.any(weight[value == 0] != 0):
                raise Mismatch(f"{name[:-5]}: nonzero weights where {name} is 0")
            masks += 1
        else:
            dense[name] = value
    return dense, masks


# ---- the torch model ----


def build_torch_model(torch, metadata):
    """The torch twin of the checkpoint's architecture, with the graph's shapes."""
    graph = json.loads(metadata.get("graph", "{}"))
    architecture = metadata.get("model", graph.get("architecture", ""))
    kinds = {node["kind"] for node in graph.get("nodes", [])}
    if kinds - DENSE_KINDS:
        raise Mismatch(f"layer kinds {sorted(kinds - DENSE_KINDS)} have no torch twin here")
    zoo = define_zoo(torch)
    if architecture not in zoo:
        raise Mismatch(f"architecture '{architecture}' unknown here; known: {sorted(zoo)}")
    model = zoo[architecture](graph["sample_shape"], graph["num_classes"])
    return model, graph["sample_shape"], graph["num_classes"]


def load_strict(torch, model, state):
    """load_state_dict(strict=True); returns how many num_batches_tracked were filled."""
    tensors = {name: torch.from_numpy(value.copy()) for name, value in state.items()}
    filled = 0
    for name in model.state_dict():
        if name.endswith("num_batches_tracked") and name not in tensors:
            tensors[name] = torch.tensor(0, dtype=torch.long)
            filled += 1
    model.load_state_dict(tensors, strict=True)
    return filled


def check_forward(torch, model, sample_shape, num_classes):
    """Eval-mode logits of a fixed random batch must be finite and [4, num_classes]."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn([4] + list(sample_shape), generator=generator)
    with torch.no_grad():
        logits = model.eval()(x)
    if list(logits.shape) != [4, num_classes]:
        raise Mismatch(f"forward: logits shape {list(logits.shape)}, expected [4, {num_classes}]")
    if not bool(torch.isfinite(logits).all()):
        raise Mismatch("forward: non-finite logits")
    return list(logits.shape)


# ---- the dataset, read and normalised as datasets/*.cpp do ----


def read_idx(np, directory, base_name, ndims):
    """An IDX uint8 array from DIR/base_name or DIR/base_name.gz (big-endian dims)."""
    path = os.path.join(directory, base_name)
    opener = open
    if not os.path.isfile(path):
        path += ".gz"
        opener = gzip.open
    with opener(path, "rb") as handle:
        raw = handle.read()
    magic, = struct.unpack(">I", raw[:4])
    if magic != 0x800 + ndims:
        raise Mismatch(f"{path}: IDX magic {magic:#x}, expected {0x800 + ndims:#x}")
    dims = struct.unpack(f">{ndims}I", raw[4:4 + 4 * ndims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndims).reshape(dims)


def normalisation(np, train_images):
    """slimbench's (scale, offset) so that x = pixel * scale + offset, in float32.

    compute_pixel_stats works in double over a histogram of pixel/255; the loader casts
    mean and stddev to float and then forms 1/(255*std) and -mean/std in float.
    """
    histogram = np.bincount(train_images.reshape(-1), minlength=256).astype("float64")
    levels = np.arange(256, dtype="float64") / 255.0
    count = histogram.sum()
    mean = float((histogram * levels).sum() / count)
    std = math.sqrt(float((histogram * (levels - mean) ** 2).sum() / count))
    mean32, std32 = np.float32(mean), np.float32(std)
    scale = np.float32(1.0) / (np.float32(255.0) * std32)
    offset = -mean32 / std32
    return scale, offset


def evaluate(np, torch, model, directory, num_classes):
    """Accuracy, mean cross-entropy and count over the test split, in eval mode."""
    train = read_idx(np, directory, "train-images-idx3-ubyte", 3)
    images = read_idx(np, directory, "t10k-images-idx3-ubyte", 3)
    labels = read_idx(np, directory, "t10k-labels-idx1-ubyte", 1).astype("int64")
    scale, offset = normalisation(np, train)
    model.eval()
    correct, loss_sum = 0, 0.0
    with torch.no_grad():
        for begin in range(0, len(images), 1000):
            pixels = images[begin:begin + 1000].astype(np.float32)
            x = torch.from_numpy(pixels * scale + offset).unsqueeze(1)
            y = torch.from_numpy(labels[begin:begin + 1000])
            logits = model(x)
            if logits.shape[1] != num_classes:
                raise Mismatch(f"dataset has labels beyond the model's {num_classes} classes")
            # argmax takes the first maximum, like slimbench's argmax_rows.
            correct += int((logits.argmax(1) == y).sum())
            loss_sum += float(torch.nn.functional.cross_entropy(logits, y)) * len(y)
    return correct / len(images), loss_sum / len(images), len(images)


def compare_with_eval(report, expected_path, accuracy_tolerance, loss_tolerance):
    """Checks torch's accuracy and loss against `slimbench eval --json` output."""
    with open(expected_path, encoding="utf-8") as handle:
        expected = json.load(handle)
    report["expected_accuracy"] = expected["accuracy"]
    report["expected_loss"] = expected["loss"]
    if expected["count"] != report["count"]:
        raise Mismatch(f"slimbench evaluated {expected['count']} images, torch {report['count']}")
    if abs(report["accuracy"] - expected["accuracy"]) > accuracy_tolerance:
        raise Mismatch(f"accuracy {report['accuracy']} vs slimbench {expected['accuracy']}")
    relative = abs(report["loss"] - expected["loss"]) / max(1.0, abs(expected["loss"]))
    report["loss_relative_diff"] = relative
    if relative > loss_tolerance:
        raise Mismatch(f"loss {report['loss']} vs slimbench {expected['loss']}")


# ---- driver ----


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--dataset-dir", default=DEFAULT_DATASET_DIR,
                        help="IDX directory (plain or .gz files); default: %(default)s")
    parser.add_argument("--no-dataset", action="store_true",
                        help="skip the evaluation (e.g. for the synthetic dataset)")
    parser.add_argument("--expect-eval-json", metavar="FILE",
                        help="`slimbench eval --json` output to compare accuracy and loss with")
    parser.add_argument("--accuracy-tolerance", type=float, default=1e-4)
    parser.add_argument("--loss-tolerance", type=float, default=1e-4)
    return parser.parse_args(argv[1:])


def import_modules():
    """(numpy, safetensors, torch, safetensors.torch or None); ImportError when missing."""
    import numpy
    import safetensors
    import safetensors.numpy
    import torch
    try:
        import safetensors.torch as safetensors_torch
    except ImportError:
        safetensors_torch = None
    return numpy, safetensors, torch, safetensors_torch


def run_checks(args, np, safetensors, torch, safetensors_torch):
    report = {"checkpoint": args.checkpoint, "torch_version": torch.__version__,
              "accuracy": None}  # stays null with --no-dataset
    state = safetensors.numpy.load_file(args.checkpoint)
    with safetensors.safe_open(args.checkpoint, framework="numpy") as handle:
        metadata = handle.metadata() or {}
    raw_state, raw_metadata = parse_raw(np, args.checkpoint)
    if raw_metadata != metadata:
        raise Mismatch("safe_open metadata differs from the header's __metadata__")
    worst = compare_readers(np, state, raw_state, "hand-parsed bytes")
    if safetensors_torch is not None:
        by_torch = {k: v.numpy() for k, v in safetensors_torch.load_file(args.checkpoint).items()}
        worst = max(worst, compare_readers(np, state, by_torch, "safetensors.torch"))
    report["tensors"] = len(state)
    report["model"] = metadata.get("model")

    model, sample_shape, num_classes = build_torch_model(torch, metadata)
    dense, report["masks"] = split_masks(np, state)
    report["filled_num_batches_tracked"] = load_strict(torch, model, dense)
    loaded = {k: v.numpy() for k, v in model.state_dict().items() if k in dense}
    worst = max(worst, compare_readers(np, dense, loaded, "torch state_dict"))
    report["max_abs_diff_vs_safetensors_numpy"] = worst
    if worst != 0.0:
        raise Mismatch(f"tensor values changed on the way into torch (max |diff| {worst})")
    report["forward_logits_shape"] = check_forward(torch, model, sample_shape, num_classes)

    if not args.no_dataset:
        accuracy, loss, count = evaluate(np, torch, model, args.dataset_dir, num_classes)
        report.update(accuracy=accuracy, loss=loss, count=count)
        if args.expect_eval_json:
            compare_with_eval(report, args.expect_eval_json, args.accuracy_tolerance,
                              args.loss_tolerance)
    return report


def main(argv):
    args = parse_args(argv)
    if args.expect_eval_json and args.no_dataset:
        print("error: --expect-eval-json needs the dataset", file=sys.stderr)
        return EXIT_USAGE
    try:
        np, safetensors, torch, safetensors_torch = import_modules()
    except ImportError as error:
        print(f"skipped: {error} (python {sys.executable})")
        return EXIT_SKIPPED
    torch.set_num_threads(1)  # deterministic reductions, and the build machine is shared
    report = {}
    try:
        report = run_checks(args, np, safetensors, torch, safetensors_torch)
    except Mismatch as error:
        print(f"mismatch: {error}")
        return EXIT_MISMATCH
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except RuntimeError as error:  # load_state_dict's missing/unexpected keys or shapes
        print(f"mismatch: {error}")
        return EXIT_MISMATCH
    print(json.dumps(report, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
