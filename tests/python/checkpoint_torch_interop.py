#!/usr/bin/env python3
"""ctest driver: checkpoints written by slimbench load in torch and evaluate identically.

Usage: checkpoint_torch_interop.py --slimbench BIN --work-dir DIR
                                   --variant {synthetic,fashion-mnist} [--fashion-mnist-dir D]

synthetic      trains lenet-5 and resnet-8 for one epoch on slimbench's built-in
               "synthetic" dataset (which exists only in C++), then evaluates both
               checkpoints with `slimbench eval --json` on a small "probe" IDX directory
               this script writes. scripts/check_checkpoint_torch.py must load each
               checkpoint into torch (strict), see identical tensor values, and reproduce
               the probe accuracy and mean loss: resnet-8 also proves BatchNorm's running
               statistics travel correctly, as eval mode uses them.
fashion-mnist  trains lenet-300-100 for one epoch on Fashion-MNIST and compares torch's
               test accuracy and loss with slimbench's. Skipped when the data is absent.

Exit codes: 0 passed, 1 a mismatch or a failed command, 4 skipped (Python modules or
the dataset missing).
"""

import argparse
import os
import shutil
import struct
import subprocess
import sys

EXIT_SKIPPED = 4
HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts",
                       "check_checkpoint_torch.py")


class Failed(Exception):
    pass


def run(command):
    """Runs a command, echoing it and its output; a nonzero exit raises Failed."""
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, check=False)
    print(result.stdout, end="", flush=True)
    if result.returncode == EXIT_SKIPPED:
        raise SystemExit(EXIT_SKIPPED)
    if result.returncode != 0:
        raise Failed(f"exit code {result.returncode} from {os.path.basename(command[0])}")
    return result.stdout


def write_idx(path, array, ndims):
    """An IDX uint8 file: magic 0x0800 + ndims, big-endian dims, then the bytes."""
    with open(path, "wb") as handle:
        handle.write(struct.pack(">I", 0x800 + ndims))
        handle.write(struct.pack(f">{ndims}I", *array.shape))
        handle.write(array.astype("uint8").tobytes())


def write_probe_dataset(np, directory):
    """Smooth random 28x28 images, labels 0..9 in turn: something to evaluate on.

    The models were trained on other data, so accuracy here is near chance; what matters
    is that slimbench and torch see the same pixels and must agree on every logit.
    """
    os.makedirs(directory)
    rng = np.random.default_rng(7)
    for prefix, count in (("train", 100), ("t10k", 300)):
        coarse = rng.integers(0, 256, size=(count, 7, 7)).astype("float64")
        images = np.kron(coarse, np.ones((4, 4)))  # 4x4 blocks: some spatial structure
        images += rng.normal(0.0, 20.0, size=images.shape)
        write_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte"),
                  np.clip(images, 0, 255), 3)
        write_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte"),
                  np.arange(count) % 10, 1)


def train_eval_check(args, model, train_dataset, eval_dataset, dataset_dir):
    """Trains one epoch, evaluates with slimbench, then checks the checkpoint in torch."""
    checkpoint = os.path.join(args.work_dir, f"{model}.safetensors")
    run([args.slimbench, "train", "--model", model, "--dataset", train_dataset, "--epochs", "1",
         "--seed", "3", "--out", checkpoint])
    eval_json = os.path.join(args.work_dir, f"{model}.eval.json")
    output = run([args.slimbench, "eval", "--checkpoint", checkpoint, "--dataset", eval_dataset,
                  "--json"])
    with open(eval_json, "w", encoding="utf-8") as handle:
        handle.write(output.strip().splitlines()[-1] + "\n")
    run([sys.executable, CHECKER, checkpoint, "--dataset-dir", dataset_dir,
         "--expect-eval-json", eval_json])


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slimbench", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--variant", choices=["synthetic", "fashion-mnist"], required=True)
    # The directory slimbench's "fashion-mnist" spec reads, so both sides see one dataset.
    parser.add_argument("--fashion-mnist-dir",
                        default=(os.environ.get("SLIMBENCH_FASHION_MNIST_DIR")
                                 or "/usr/share/datasets/fashion-mnist"))
    return parser.parse_args(argv[1:])


def main(argv):
    args = parse_args(argv)
    try:
        import numpy as np
        import safetensors  # noqa: F401  (the checker needs these; skip early without them)
        import torch  # noqa: F401
    except ImportError as error:
        print(f"skipped: {error} (python {sys.executable})")
        return EXIT_SKIPPED
    shutil.rmtree(args.work_dir, ignore_errors=True)
    os.makedirs(args.work_dir)
    try:
        if args.variant == "synthetic":
            probe = os.path.join(args.work_dir, "probe")
            write_probe_dataset(np, probe)
            for model in ("lenet-5", "resnet-8"):
                train_eval_check(args, model, "synthetic", "idx:" + probe, probe)
        else:
            if not os.path.isdir(args.fashion_mnist_dir):
                print(f"skipped: no Fashion-MNIST at {args.fashion_mnist_dir}")
                return EXIT_SKIPPED
            train_eval_check(args, "lenet-300-100", "fashion-mnist", "fashion-mnist",
                             args.fashion_mnist_dir)
    except Failed as error:
        print(f"FAILED: {error}")
        return 1
    print("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
