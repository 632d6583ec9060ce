"""The benchmark workloads, shared by the NumPy and PyTorch references.

Same data, initial weights and batch order for both peers (NumPy's seeded generator), the
hyperparameters of bench/README.md, and one JSON line of results per run.
"""

import argparse
import json
import math
import os
import resource
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SEED = 42

# name: (hidden widths, activation, output, loss, batch, epochs, lr, momentum, target loss)
WORKLOADS = {
    "digits": dict(hidden=[128, 64], activation="relu", loss="cross_entropy", batch=64,
                   epochs=30, lr=0.1, momentum=0.9),
    "sine": dict(hidden=[64, 64], activation="tanh", loss="mse", batch=32, epochs=100,
                 lr=0.05, momentum=0.9),
    "xor": dict(hidden=[8], activation="tanh", output="sigmoid", loss="mse", batch=4,
                epochs=100_000, lr=0.5, momentum=0.0, target_loss=0.01),
    "scale": dict(hidden=[512, 512], activation="relu", loss="cross_entropy", batch=256,
                  epochs=3, lr=0.01, momentum=0.9),
    # digits as 1x8x8 pictures: per channel a 3x3 convolution (padding 1), ReLU, 2x2 max-pool.
    "cnn": dict(channels=[8, 16], hidden=[16], activation="relu", loss="cross_entropy",
                batch=64, epochs=20, lr=0.05, momentum=0.9),
}


def data(name):
    """(features float32 [rows, inputs], targets: int64 classes or float32 [rows, 1])."""
    rng = np.random.default_rng(SEED)
    if name == "cnn":
        x, y = data("digits")
        return x.reshape(-1, 1, 8, 8), y
    if name == "digits":
        table = np.loadtxt(ROOT / "datasets" / "digits.csv", delimiter=",", skiprows=1,
                           dtype=np.float32)
        order = rng.permutation(len(table))[:1437]  # digits' 80% training split
        return table[order, :-1] / 16.0, table[order, -1].astype(np.int64)
    if name == "sine":
        x = rng.uniform(-math.pi, math.pi, (1000, 1)).astype(np.float32)
        return x, np.sin(x)
    if name == "xor":
        x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        return x, np.array([[0], [1], [1], [0]], dtype=np.float32)
    if name == "scale":
        # Generated in float32 from the start (no float64 copy), 100,000 x 256, 10 classes.
        x = rng.random((100_000, 256), dtype=np.float32)
        x *= 2.0
        x -= 1.0
        projections = rng.random((256, 10), dtype=np.float32) * 2.0 - 1.0
        return x, np.argmax(x @ projections, axis=1).astype(np.int64)
    raise SystemExit(f"unknown workload {name}")


def initial_weights(widths):
    """nn.Linear's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from the seed."""
    rng = np.random.default_rng(SEED + 1)
    layers = []
    for fan_in, fan_out in zip(widths, widths[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        weight = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
        bias = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        layers.append((weight, bias))
    return layers


def initial_kernels(channels, kernel=3):
    """nn.Conv2d's default initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in =
    in_channels x 3 x 3, from the seed: [out, in, 3, 3] weights and [out] biases."""
    rng = np.random.default_rng(SEED + 3)
    layers = []
    for fan_in, fan_out in zip(channels, channels[1:]):
        bound = 1.0 / math.sqrt(fan_in * kernel * kernel)
        weight = rng.uniform(-bound, bound, (fan_out, fan_in, kernel, kernel)).astype(np.float32)
        bias = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        layers.append((weight, bias))
    return layers


def batch_orders(rows, batch, epochs):
    """The row order of each epoch (one full batch needs no shuffle)."""
    rng = np.random.default_rng(SEED + 2)
    for _ in range(epochs):
        yield np.arange(rows) if batch >= rows else rng.permutation(rows)


def outputs(name, targets):
    return int(targets.max()) + 1 if WORKLOADS[name]["loss"] == "cross_entropy" else 1


def arguments():
    """(workloads to run, whether to measure the large matrix product instead)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", choices=list(WORKLOADS), action="append")
    parser.add_argument("--matmul", action="store_true",
                        help="measure the 1024x1024 matrix product's GFLOP/s instead")
    args = parser.parse_args()
    return (args.workload or list(WORKLOADS)), args.matmul


def matmul_gflops(peer, multiply, size=1024):
    """GFLOP/s of a size x size product: median of 5 after a warm-up, as `stepwise bench`."""
    import time
    multiply()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        multiply()
        times.append(time.perf_counter() - started)
    times.sort()
    print(json.dumps(dict(peer=peer, matmul_size=size,
                          matmul_gflops_per_second=2 * size**3 / times[2] / 1e9)))


def report(peer, name, rows, steps, epochs, seconds, final_loss, accuracy, **extra):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    spec = WORKLOADS[name]
    line = dict(peer=peer, workload=name, rows=rows, batch_size=min(spec["batch"], rows),
                epochs=epochs, steps=steps, seconds=seconds,
                samples_per_second=epochs * rows / seconds,
                ms_per_step=seconds * 1000 / steps, final_loss=final_loss,
                accuracy=accuracy, peak_rss_bytes=peak, threads=os.cpu_count(), **extra)
    print(json.dumps(line))
    sys.stdout.flush()
