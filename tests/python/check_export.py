"""Runs a model `stepwise export` wrote, as a user outside stepwise would, and compares its
answers with stepwise's own.

    python check_export.py MODEL.onnx MODEL.safetensors ROWS.csv EXPECTED.json

ROWS.csv holds the table's columns as a person gives them (a text column's category, an empty
cell where a value is missing); each row is encoded by the rules the exported JSON states
(`columns`), and given to a CNN's graph as pictures. The ONNX file runs in onnxruntime; the safetensors file's parameters run in a
forward pass written here in numpy from the JSON's `layers` (what `nn.Sequential` would do).
EXPECTED.json is what `stepwise predict` answered for each row: the class probabilities, or
the value. Prints the largest difference of each; exits 1 when one exceeds 1e-5.
"""

import csv
import json
import sys

import numpy as np
import onnxruntime
from safetensors.numpy import load_file

TOLERANCE = 1e-5


def encode(rows, columns):
    """The inputs of each row, by the JSON's `columns`: a number as it is, a text column as one
    input per category (1 for the row's), a missing cell as its `fill`."""
    encoded = []
    for row in rows:
        inputs = []
        for column in columns:
            cell = row[column["name"]].strip()
            if cell == "":
                if column.get("fill") is None:
                    raise SystemExit(f"a missing {column['name']} and no fill for it")
                cell = column["fill"]
            if column["kind"] == "number":
                inputs.append(float(cell))
            else:
                inputs.extend(1.0 if cell == c else 0.0 for c in column["categories"])
        encoded.append(inputs)
    return np.array(encoded, dtype=np.float32)


def conv2d(x, weight, bias, padding):
    """[rows, in, h, w] with [out, in, k, k] → [rows, out, h, w] (stride 1)."""
    k = weight.shape[2]
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    rows, channels, height, width = x.shape
    out_h, out_w = height - k + 1, width - k + 1
    patches = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
    # patches: [rows, in, out_h, out_w, k, k]
    out = np.einsum("rchwij,ocij->rohw", patches, weight, optimize=True)
    return out + bias[None, :, None, None]


def max_pool(x, size):
    rows, channels, height, width = x.shape
    h, w = height // size, width // size
    x = x[:, :, : h * size, : w * size].reshape(rows, channels, h, size, w, size)
    return x.max(axis=(3, 5))


def sequential(x, layers, weights):
    """The `nn.Sequential` the JSON describes, on the inputs x (already standardised)."""
    for index, layer in enumerate(layers):
        kind = layer["type"]
        if kind == "Unflatten":
            x = x.reshape((x.shape[0], *layer["sizes"]))
        elif kind == "Conv2d":
            w, b = weights[f"{index}.weight"], weights[f"{index}.bias"]
            x = conv2d(x, w.astype(np.float64), b.astype(np.float64), layer["padding"])
        elif kind == "MaxPool2d":
            x = max_pool(x, layer["kernel_size"])
        elif kind == "Flatten":
            x = x.reshape(x.shape[0], -1)
        elif kind == "Linear":
            w, b = weights[f"{index}.weight"], weights[f"{index}.bias"]
            x = x @ w.astype(np.float64).T + b.astype(np.float64)
        elif kind == "ReLU":
            x = np.maximum(x, 0.0)
        elif kind == "Tanh":
            x = np.tanh(x)
        elif kind == "Sigmoid":
            x = 1.0 / (1.0 + np.exp(-x))
        else:
            raise SystemExit(f"unknown layer {kind}")
    return x


def answers(output, manifest):
    """The network's outputs as answers: probabilities, or values in the target's units."""
    if manifest["task"] == "classification":
        shifted = np.exp(output - output.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    if manifest.get("target_mean") is not None:
        return output * manifest["target_std"] + manifest["target_mean"]
    return output


def main():
    onnx_file, safetensors_file, rows_file, expected_file = sys.argv[1:5]
    with open(onnx_file + ".json") as f:
        manifest = json.load(f)
    with open(rows_file, newline="") as f:
        rows = list(csv.DictReader(f))
    with open(expected_file) as f:
        expected = np.array(json.load(f), dtype=np.float64)
    inputs = encode(rows, manifest["columns"])

    session = onnxruntime.InferenceSession(onnx_file, providers=["CPUExecutionProvider"])
    graph_input = session.get_inputs()[0]
    if graph_input.name == "pictures":  # a CNN's: [rows, channels, height, width]
        image = manifest["image"]
        shape = (len(rows), image["channels"], image["height"], image["width"])
        feed = inputs.reshape(shape)
    else:
        feed = inputs
    if graph_input.name not in ("inputs", "pictures"):
        raise SystemExit(f"the graph's input is named {graph_input.name}")
    from_onnx = session.run(None, {graph_input.name: feed})[0].astype(np.float64)

    weights = load_file(safetensors_file)
    with open(safetensors_file + ".json") as f:
        layers = json.load(f)["layers"]
    mean = np.array(manifest["input_mean"], dtype=np.float64)
    std = np.array(manifest["input_std"], dtype=np.float64)
    standardised = (inputs.astype(np.float64) - mean) / std
    from_numpy = answers(sequential(standardised, layers, weights), manifest)

    failed = False
    for what, got in (("onnxruntime", from_onnx), ("numpy + safetensors", from_numpy)):
        if got.shape != expected.shape:
            print(f"{what}: shape {got.shape}, stepwise's {expected.shape}")
            failed = True
            continue
        worst = float(np.abs(got - expected).max())
        print(f"{what}: {len(rows)} rows, largest difference {worst:.2e}")
        failed |= not worst <= TOLERANCE
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
