#!/usr/bin/env python3
"""Write the PyTorch reference fixtures that tests/core/torch_fixture_test.cpp checks.

Usage: make_torch_fixtures.py [--out DIR]     (default: tests/fixtures/torch)

Every case becomes one small safetensors file: the inputs, the parameters under
slimbench's names, a random upstream gradient dL/dy, and what PyTorch computes from them
(output, input and parameter gradients, updated BatchNorm running statistics). The
C++ test rebuilds the same layer or model, feeds it the same numbers and compares, so it
needs neither Python nor torch. See tests/fixtures/README.md for the case list, the
tensor names and the versioning rule.

Reproducible: each case seeds torch from its own name, torch runs on one thread, and the
writer sorts everything, so rerunning with the same torch version rewrites byte-identical
files. Needs torch (Debian's python3-torch); numpy and safetensors are not used.
"""

import argparse
import json
import os
import struct
import sys
import zlib

FIXTURE_VERSION = "1"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "tests", "fixtures", "torch")
EPS = 1e-5
MOMENTUM = 0.1
TEMPERATURE = 4.0

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_checkpoint_torch import define_zoo  # noqa: E402  (shared torch architectures)


# ---- a minimal deterministic safetensors writer ----


def tensor_bytes(torch, tensor):
    """(dtype name, little-endian bytes) of a float32 or int32 tensor."""
    tensor = tensor.detach().contiguous()
    if tensor.dtype == torch.float32:
        code, dtype = "f", "F32"
    elif tensor.dtype == torch.int32:
        code, dtype = "i", "I32"
    else:
        raise TypeError(f"fixtures hold float32 and int32 only, got {tensor.dtype}")
    values = tensor.reshape(-1).tolist()
    return dtype, struct.pack(f"<{len(values)}{code}", *values)


def write_safetensors(torch, path, tensors, metadata):
    """Sorted names, data in name order, header space-padded to 8 bytes; atomic replace."""
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        dtype, data = tensor_bytes(torch, tensors[name])
        shape = list(tensors[name].shape)
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # every 4-byte tensor then starts 4-aligned
    temporary = path + ".tmp"
    with open(temporary, "wb") as handle:
        handle.write(struct.pack("<Q", len(text)))
        handle.write(text)
        for chunk in chunks:
            handle.write(chunk)
    os.replace(temporary, path)


# ---- helpers ----


def seed_for(torch, name):
    """Seeds torch from the case name, so adding a case never changes the others."""
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def leaf(tensor):
    return tensor.detach().clone().requires_grad_(True)


def scaled_randn(torch, shape, fan_in):
    """N(0, 1/fan_in) weights keep outputs of order one."""
    return leaf(torch.randn(shape) / fan_in ** 0.5)


class Fixtures:
    """Collects cases and writes them under `out`."""

    def __init__(self, torch, out):
        self.torch = torch
        self.out = out
        self.written = []

    def write(self, name, case, tensors, description):
        metadata = {
            "fixture_version": FIXTURE_VERSION,
            "torch_version": self.torch.__version__,
            "case": json.dumps(case, sort_keys=True, separators=(",", ":")),
            "description": description,
            "generator": "scripts/make_torch_fixtures.py",
        }
        path = os.path.join(self.out, name + ".safetensors")
        write_safetensors(self.torch, path, tensors, metadata)
        self.written.append(path)

    def layer(self, name, kind, config, forward, inputs, params, description, mode="train",
              extra=None):
        """Runs forward(inputs, params), backpropagates a random upstream, writes it all.

        `inputs` are named "input", "input1"; gradients become "grad_input", "grad_input1",
        and "grad_<param>" for every parameter. `extra` tensors are written as they are
        after the backward pass (BatchNorm's buffers, which forward updates in place).
        """
        torch = self.torch
        output = forward(*inputs, **params)
        upstream = torch.randn(output.shape)
        output.backward(upstream)
        tensors = {"output": output, "upstream": upstream}
        for index, tensor in enumerate(inputs):
            suffix = "" if index == 0 else str(index)
            tensors["input" + suffix] = tensor
            tensors["grad_input" + suffix] = tensor.grad
        for param_name, tensor in params.items():
            tensors[param_name] = tensor
            tensors["grad_" + param_name] = tensor.grad
        tensors.update(extra or {})
        self.write(name, {"kind": kind, "config": config, "mode": mode}, tensors, description)


# ---- single layers ----


def linear_cases(torch, fixtures):
    functional = torch.nn.functional
    for bias in (True, False):
        name = "linear" if bias else "linear_nobias"
        seed_for(torch, name)
        x = leaf(torch.randn(3, 7))
        params = {"weight": scaled_randn(torch, (5, 7), 7)}
        if bias:
            params["bias"] = leaf(torch.randn(5))
        config = {"in_features": 7, "out_features": 5, "bias": bias}
        fixtures.layer(name, "linear", config,
                       lambda x, weight, bias=None: functional.linear(x, weight, bias),
                       [x], params, f"torch.nn.functional.linear, bias={bias}")


def conv2d_cases(torch, fixtures):
    functional = torch.nn.functional
    # (name, kernel, stride, padding, bias); inputs are 2x3x7x6 so H and W differ.
    cases = [
        ("conv2d_k3_s1_p0", 3, 1, 0, True),
        ("conv2d_k3_s2_p1", 3, 2, 1, True),
        ("conv2d_k5_s1_p2", 5, 1, 2, True),
        ("conv2d_k1_s2_p0", 1, 2, 0, True),
        ("conv2d_k3_s1_p1_nobias", 3, 1, 1, False),
    ]
    for name, kernel, stride, padding, bias in cases:
        seed_for(torch, name)
        x = leaf(torch.randn(2, 3, 7, 6))
        params = {"weight": scaled_randn(torch, (4, 3, kernel, kernel), 3 * kernel * kernel)}
        if bias:
            params["bias"] = leaf(torch.randn(4))
        config = {"in_channels": 3, "out_channels": 4, "kernel_size": kernel, "stride": stride,
                  "padding": padding, "bias": bias}

        def forward(x, weight, bias=None, stride=stride, padding=padding):
            return functional.conv2d(x, weight, bias, stride=stride, padding=padding)

        fixtures.layer(name, "conv2d", config, forward, [x], params,
                       f"torch.nn.functional.conv2d k{kernel} s{stride} p{padding} bias={bias}")


def batchnorm_cases(torch, fixtures):
    functional = torch.nn.functional
    shapes = {"batchnorm1d": (6, 4), "batchnorm2d": (3, 4, 5, 6)}
    for kind, shape in shapes.items():
        for mode in ("train", "eval"):
            name = f"{kind}_{mode}"
            seed_for(torch, name)
            x = leaf(torch.randn(shape) * 2 + 0.5)
            params = {"weight": leaf(torch.rand(4) + 0.5), "bias": leaf(torch.randn(4) * 0.5)}
            running_mean = torch.randn(4) * 0.5
            running_var = torch.rand(4) * 1.5 + 0.5
            buffers = {"running_mean": running_mean.clone(), "running_var": running_var.clone()}

            def forward(x, weight, bias, mode=mode, buffers=buffers):
                # Updates the buffers in place in training (unbiased batch variance).
                return functional.batch_norm(x, buffers["running_mean"], buffers["running_var"],
                                             weight, bias, training=(mode == "train"),
                                             momentum=MOMENTUM, eps=EPS)

            config = {"num_features": 4, "eps": EPS, "momentum": MOMENTUM}
            extra = {"running_mean": running_mean, "running_var": running_var,
                     "running_mean_after": buffers["running_mean"],
                     "running_var_after": buffers["running_var"]}
            description = (f"torch.nn.functional.batch_norm training={mode == 'train'}"
                           f" momentum={MOMENTUM} eps={EPS}")
            fixtures.layer(name, kind, config, forward, [x], params, description, mode, extra)


def pooling_cases(torch, fixtures):
    functional = torch.nn.functional
    cases = [
        ("maxpool2d_k2_s2", "maxpool2d", 2, 2, 0, (2, 3, 6, 7)),
        ("maxpool2d_k3_s2_p1", "maxpool2d", 3, 2, 1, (2, 3, 7, 6)),
        ("avgpool2d_k2_s2", "avgpool2d", 2, 2, 0, (2, 3, 6, 7)),
        ("avgpool2d_k3_s2_p1", "avgpool2d", 3, 2, 1, (2, 3, 7, 6)),
    ]
    for name, kind, kernel, stride, padding, shape in cases:
        seed_for(torch, name)
        x = leaf(torch.randn(shape))
        config = {"kernel_size": kernel, "stride": stride, "padding": padding}
        if kind == "maxpool2d":
            def forward(x, k=kernel, s=stride, p=padding):
                return functional.max_pool2d(x, k, s, p)
            description = f"torch.nn.functional.max_pool2d k{kernel} s{stride} p{padding}"
        else:
            def forward(x, k=kernel, s=stride, p=padding):
                return functional.avg_pool2d(x, k, s, p, count_include_pad=True)
            description = (f"torch.nn.functional.avg_pool2d k{kernel} s{stride} p{padding}"
                           " count_include_pad=True")
        fixtures.layer(name, kind, config, forward, [x], {}, description)


def elementwise_cases(torch, fixtures):
    """relu, global average pooling, flatten and add: layers without parameters."""
    functional = torch.nn.functional
    cases = [
        ("relu", "relu", [(4, 3, 5)], functional.relu, "torch.nn.functional.relu"),
        ("global_avgpool", "global_avgpool", [(2, 3, 4, 5)], lambda x: x.mean((2, 3)),
         "x.mean((2, 3))"),
        ("flatten", "flatten", [(2, 3, 4, 5)], lambda x: x.flatten(1), "x.flatten(1)"),
        ("add", "add", [(2, 3, 4), (2, 3, 4)], lambda x, y: x + y, "x + y"),
    ]
    for name, kind, shapes, forward, description in cases:
        seed_for(torch, name)
        inputs = [leaf(torch.randn(shape)) for shape in shapes]
        fixtures.layer(name, kind, {}, forward, inputs, {}, description)


# ---- losses ----


def loss_cases(torch, fixtures):
    functional = torch.nn.functional
    seed_for(torch, "cross_entropy")
    logits = leaf(torch.randn(5, 7) * 2)
    labels = torch.randint(0, 7, (5,), dtype=torch.int64)
    loss = functional.cross_entropy(logits, labels)  # mean over the batch
    loss.backward()
    fixtures.write("cross_entropy", {"kind": "cross_entropy", "config": {}, "mode": "train"},
                   {"input": logits, "labels": labels.to(torch.int32), "output": loss.reshape(1),
                    "grad_input": logits.grad},
                   "torch.nn.functional.cross_entropy, mean reduction")

    seed_for(torch, "soft_cross_entropy_t4")
    logits = leaf(torch.randn(5, 7) * 3)
    target = torch.softmax(torch.randn(5, 7) * 3 / TEMPERATURE, dim=1)
    log_probs = functional.log_softmax(logits / TEMPERATURE, dim=1)
    loss = -(target * log_probs).sum(1).mean()
    loss.backward()
    fixtures.write("soft_cross_entropy_t4",
                   {"kind": "soft_cross_entropy", "config": {"temperature": TEMPERATURE},
                    "mode": "train"},
                   {"input": logits, "target": target, "output": loss.reshape(1),
                    "grad_input": logits.grad},
                   f"-mean_b sum_k t_bk log_softmax(z_b / T)_k with T = {TEMPERATURE}")


# ---- whole models ----


def randomise_batchnorm(torch, model):
    """Non-trivial gamma, beta and running statistics, so every term is exercised."""
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            with torch.no_grad():
                module.weight.copy_(torch.rand(module.num_features) + 0.5)
                module.bias.copy_(torch.randn(module.num_features) * 0.2)
                module.running_mean.copy_(torch.randn(module.num_features) * 0.2)
                module.running_var.copy_(torch.rand(module.num_features) + 0.5)


def model_case(torch, fixtures, architecture, sample_shape, batch):
    """Train-mode forward, mean cross-entropy and backward through a zoo architecture."""
    name = f"model_{architecture.replace('-', '_')}"
    seed_for(torch, name)
    model = define_zoo(torch)[architecture](sample_shape, 10)
    randomise_batchnorm(torch, model)
    model.train()
    state = {k: v.detach().clone() for k, v in model.state_dict().items()
             if not k.endswith("num_batches_tracked")}  # slimbench has no such counter
    x = torch.randn([batch] + list(sample_shape))
    labels = torch.randint(0, 10, (batch,), dtype=torch.int64)
    logits = model(x)
    loss = torch.nn.functional.cross_entropy(logits, labels)
    loss.backward()
    tensors = dict(state)
    tensors.update({"input": x, "labels": labels.to(torch.int32), "output": logits,
                    "loss": loss.reshape(1)})
    for param_name, param in model.named_parameters():
        tensors["grad/" + param_name] = param.grad
    for buffer_name, buffer in model.named_buffers():
        if not buffer_name.endswith("num_batches_tracked"):
            tensors["after/" + buffer_name] = buffer
    config = {"name": architecture, "sample_shape": list(sample_shape), "num_classes": 10,
              "batch": batch}
    fixtures.write(name, {"kind": "model", "config": config, "mode": "train"}, tensors,
                   f"{architecture} in train mode: logits, mean cross-entropy, every gradient")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args(argv[1:])
    try:
        import torch
    except ImportError as error:
        print(f"error: {error}: install Debian's python3-torch", file=sys.stderr)
        return 2
    torch.set_num_threads(1)  # one thread: reductions always run in the same order
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    fixtures = Fixtures(torch, args.out)
    linear_cases(torch, fixtures)
    conv2d_cases(torch, fixtures)
    batchnorm_cases(torch, fixtures)
    pooling_cases(torch, fixtures)
    elementwise_cases(torch, fixtures)
    loss_cases(torch, fixtures)
    # lenet-5 at 28x28 has 431K weights (1.7 MB, 3.4 MB with gradients), too big to commit;
    # a 20x16 input keeps every layer and the 2-D flatten but shrinks fc1 to 100 inputs.
    model_case(torch, fixtures, "lenet-5", (1, 20, 16), 3)
    model_case(torch, fixtures, "resnet-8", (1, 28, 28), 4)
    total = sum(os.path.getsize(path) for path in fixtures.written)
    print(f"wrote {len(fixtures.written)} fixtures ({total} bytes) to {args.out}"
          f" with torch {torch.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
