"""NumPy reference: forward pass, backpropagation and the SGD update written by hand.

    python3 bench/numpy_reference.py [--workload digits|sine|xor|scale ...]

One JSON line per workload (see workloads.py). The clock covers the training loop only.
"""

import sys
import time

import numpy as np

from workloads import (WORKLOADS, arguments, batch_orders, data, initial_weights,
                       matmul_gflops, outputs, report)


def run(name):
    spec = WORKLOADS[name]
    x, y = data(name)
    rows = len(x)
    widths = [x.shape[1], *spec["hidden"], outputs(name, y)]
    layers = [[w, b] for w, b in initial_weights(widths)]
    velocity = [[np.zeros_like(w), np.zeros_like(b)] for w, b in layers]
    lr, momentum, batch = np.float32(spec["lr"]), np.float32(spec["momentum"]), spec["batch"]
    relu = spec["activation"] == "relu"
    classes = spec["loss"] == "cross_entropy"
    target = spec.get("target_loss")

    started = time.perf_counter()
    steps = epochs = 0
    for order in batch_orders(rows, batch, spec["epochs"]):
        epochs += 1
        total = 0.0
        for start in range(0, rows, batch):
            index = order[start:start + batch]
            xb, yb = x[index], y[index]
            n = len(index)
            # PREDICT: keep every layer's input for the backward pass.
            inputs = [xb]
            h = xb
            for i, (w, b) in enumerate(layers):
                h = h @ w + b
                if i < len(layers) - 1:
                    h = np.maximum(h, 0, out=h) if relu else np.tanh(h, out=h)
                inputs.append(h)
            out = inputs.pop()
            # LOSS and its gradient with respect to the output.
            if classes:
                shifted = out - out.max(axis=1, keepdims=True)
                exp = np.exp(shifted)
                probabilities = exp / exp.sum(axis=1, keepdims=True)
                loss = -np.log(probabilities[np.arange(n), yb]).mean()
                grad = probabilities
                grad[np.arange(n), yb] -= 1
                grad /= n
            else:
                if spec.get("output") == "sigmoid":
                    out = 1 / (1 + np.exp(-out))
                difference = out - yb
                loss = (difference * difference).mean()
                grad = 2 * difference / difference.size
                if spec.get("output") == "sigmoid":
                    grad *= out * (1 - out)
            total += float(loss) * n
            # GRADIENT (backpropagation) and STEP, layer by layer from the top.
            for i in reversed(range(len(layers))):
                w, b = layers[i]
                a = inputs[i]
                grad_w = a.T @ grad
                grad_b = grad.sum(axis=0)
                if i > 0:
                    grad = grad @ w.T
                    grad *= (a > 0) if relu else (1 - a * a)
                for parameter, gradient, v in ((w, grad_w, velocity[i][0]),
                                               (b, grad_b, velocity[i][1])):
                    if momentum:
                        v *= momentum
                        v += gradient
                        gradient = v
                    parameter -= lr * gradient
            steps += 1
        train_loss = total / rows
        if target is not None and train_loss <= target:
            break
    seconds = time.perf_counter() - started

    accuracy = None
    if classes:
        h = x
        for i, (w, b) in enumerate(layers):
            h = h @ w + b
            if i < len(layers) - 1:
                h = np.maximum(h, 0) if relu else np.tanh(h)
        accuracy = float((h.argmax(axis=1) == y).mean())
    report("numpy", name, rows, steps, epochs, seconds, train_loss, accuracy,
           version=np.__version__)


if __name__ == "__main__":
    workloads, matmul = arguments()
    if matmul:
        a, b = (np.random.default_rng(0).random((1024, 1024), dtype=np.float32) for _ in "ab")
        matmul_gflops("numpy", lambda: a @ b)
    else:
        for workload in workloads:
            if "channels" in WORKLOADS[workload]:
                # No convolution by hand here: the CNN is compared with PyTorch alone.
                print(f"note: numpy_reference has no {workload} workload", file=sys.stderr)
                continue
            run(workload)
