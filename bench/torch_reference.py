"""PyTorch reference: eager nn.Sequential, autograd and torch.optim.SGD.

    python3 bench/torch_reference.py [--workload digits|sine|xor|scale|cnn ...]

One JSON line per workload (see workloads.py). The clock covers the training loop only; the
epoch's loss is summed on the tensor side and read once per epoch, as stepwise does.
"""

import time

import torch
from torch import nn

from workloads import (WORKLOADS, arguments, batch_orders, data, initial_kernels,
                       initial_weights, matmul_gflops, outputs, report)


def convolutions(name, x):
    """The CNN's convolutions (none for the MLPs), and the width they leave per picture."""
    channels = WORKLOADS[name].get("channels")
    if channels is None:
        return [], x.shape[1]
    layers = []
    for weight, bias in initial_kernels([x.shape[1], *channels]):
        conv = nn.Conv2d(weight.shape[1], weight.shape[0], 3, padding=1)
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(weight))
            conv.bias.copy_(torch.from_numpy(bias))
        layers += [conv, nn.ReLU(), nn.MaxPool2d(2)]
    height = x.shape[2] // 2 ** len(channels)
    return [*layers, nn.Flatten()], channels[-1] * height * height


def model(name, widths, front=()):
    spec = WORKLOADS[name]
    layers = list(front)
    for i, (weight, bias) in enumerate(initial_weights(widths)):
        linear = nn.Linear(weight.shape[0], weight.shape[1])
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(weight.T.copy()))
            linear.bias.copy_(torch.from_numpy(bias))
        layers.append(linear)
        if i < len(widths) - 2:
            layers.append(nn.ReLU() if spec["activation"] == "relu" else nn.Tanh())
    if spec.get("output") == "sigmoid":
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def run(name):
    spec = WORKLOADS[name]
    x_np, y_np = data(name)
    rows = len(x_np)
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    front, inputs = convolutions(name, x)
    network = model(name, [inputs, *spec["hidden"], outputs(name, y_np)], front)
    loss_function = nn.CrossEntropyLoss() if spec["loss"] == "cross_entropy" else nn.MSELoss()
    optimizer = torch.optim.SGD(network.parameters(), lr=spec["lr"],
                                momentum=spec["momentum"], dampening=0)
    batch = spec["batch"]
    target = spec.get("target_loss")
    orders = [torch.from_numpy(order) for order in batch_orders(rows, batch, spec["epochs"])]

    started = time.perf_counter()
    steps = epochs = 0
    for order in orders:
        epochs += 1
        total = torch.zeros(())
        for start in range(0, rows, batch):
            index = order[start:start + batch]
            xb, yb = x[index], y[index]
            loss = loss_function(network(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(index)
            steps += 1
        train_loss = total.item() / rows
        if target is not None and train_loss <= target:
            break
    seconds = time.perf_counter() - started

    accuracy = None
    if spec["loss"] == "cross_entropy":
        with torch.no_grad():
            accuracy = (network(x).argmax(dim=1) == y).float().mean().item()
    report("torch", name, rows, steps, epochs, seconds, train_loss, accuracy,
           version=torch.__version__, torch_threads=torch.get_num_threads())


if __name__ == "__main__":
    torch.manual_seed(0)
    workloads, matmul = arguments()
    if matmul:
        a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
        matmul_gflops("torch", lambda: a @ b)
    else:
        for workload in workloads:
            run(workload)
