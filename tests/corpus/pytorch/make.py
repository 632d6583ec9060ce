"""Makes iris-4-16-3.pt from iris-4-16-3.safetensors, as a PyTorch user would: the weights that
`stepwise export --format safetensors` wrote (an MLP 4-16-3 relu trained on iris for 20 epochs,
seed 42), loaded into the nn.Sequential its JSON names, saved with torch.save. The test
`weights_pytorch_saved_give_the_first_epoch_loss_of_the_same_weights_stepwise_saved` starts a
run from each file (and from a checkpoint that nests them under "model") and expects the same
first epoch.

    stepwise train --epochs 20 --out iris
    stepwise export --model iris --format safetensors --out iris-4-16-3.safetensors
    python make.py          # with torch and safetensors installed
"""

import json

import torch
from safetensors.torch import load_file
from torch import nn

with open("iris-4-16-3.safetensors.json") as f:
    manifest = json.load(f)
model = eval(manifest["pytorch"])  # nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
model.load_state_dict(load_file("iris-4-16-3.safetensors"))  # strict: every name and shape
torch.save(model.state_dict(), "iris-4-16-3.pt")

# A training checkpoint as PyTorch users save one: the weights nested under "model", beside an
# optimizer's state and the epoch. --init-from finds the weights under their prefix.
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
model(torch.zeros(2, 4)).sum().backward()
optimizer.step()  # so the optimizer holds tensors of its own
model.load_state_dict(load_file("iris-4-16-3.safetensors"))  # the weights as exported again
checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 20}
torch.save(checkpoint, "iris-4-16-3-checkpoint.pt")

# The answers stepwise gives for the first iris row (5.1, 3.5, 1.4, 0.2), from PyTorch.
row = torch.tensor([[5.1, 3.5, 1.4, 0.2]])
mean, std = torch.tensor(manifest["input_mean"]), torch.tensor(manifest["input_std"])
print(torch.softmax(model((row - mean) / std), dim=1))
