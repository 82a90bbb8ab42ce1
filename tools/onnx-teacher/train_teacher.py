#!/usr/bin/env python3
"""Trains a small ResNet-style classifier (or a plain CNN) with PyTorch on a CSV of images, exports it to ONNX.

The CSV holds one image per line: its pixels row by row (channels first), then the label, no header, the layout
Distillery's `data.format: csv` reads. Pixels are multiplied by --scale, as `data.feature_scale` does, so the model
takes exactly the prepared rows. The exported graph takes a float tensor [N, C, H, W] (`teacher.onnx.layout: nchw`)
(`--layout nhwc`: [N, H, W, C], `teacher.onnx.layout: nhwc`) with a dynamic batch dimension and returns [N, classes]
logits.

--arch resnet (the default) has residual blocks (one with a 1x1 projection) and global average pooling; --arch cnn is
conv-relu-pool blocks and two dense layers. `teacher.onnx.translate` turns either into a Distillery teacher that the
Spark trainer trains further; --activation tanh gives the cnn an activation no translation takes.

    python3 tools/onnx-teacher/train_teacher.py --csv train.csv --shape 1 8 8 --classes 10 --scale 0.0625 \
        --out teacher.onnx [--logits logits.csv]

--logits writes PyTorch's logits of every CSV row (in file order, one line each), so that another runtime's output
on the same rows can be checked against them.
"""
import argparse
import csv

import torch
from torch import nn


class Block(nn.Module):
    """Two 3x3 convolutions with batch norm and a residual add; a 1x1 projection when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.project = None
        if stride != 1 or cin != cout:
            self.project = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.project is None else self.project(x)))


class ResNet(nn.Module):
    def __init__(self, channels, classes, width):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU())
        self.blocks = nn.Sequential(Block(width, width, 1), Block(width, 2 * width, 2))
        self.head = nn.Linear(2 * width, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class Cnn(nn.Module):
    """Conv-relu-pool blocks and a hidden dense layer: the layers a Distillery teacher is made of."""

    def __init__(self, channels, classes, width, size, activation=nn.ReLU):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(channels, width, 3, 1, 1), activation(), nn.MaxPool2d(2),
                                      nn.Conv2d(width, 2 * width, 3, 1, 1), activation(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Linear(2 * width * (size // 4) ** 2, 64), activation(), nn.Linear(64, classes))

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


class ChannelsLast(nn.Module):
    """Takes [N, H, W, C] images, as TensorFlow models do, and runs the channels-first model on them."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x.permute(0, 3, 1, 2))


def read(path, shape, scale):
    xs, ys = [], []
    with open(path, newline="") as f:
        for row in csv.reader(f):
            if not row:
                continue
            values = [float(v) for v in row]
            xs.append([v * scale for v in values[:-1]])
            ys.append(int(values[-1]))
    x = torch.tensor(xs, dtype=torch.float32).reshape(-1, *shape)
    return x, torch.tensor(ys, dtype=torch.long)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--csv", required=True)
    p.add_argument("--shape", type=int, nargs=3, required=True, metavar=("C", "H", "W"))
    p.add_argument("--classes", type=int, required=True)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--arch", choices=["resnet", "cnn"], default="resnet")
    p.add_argument("--activation", choices=["relu", "tanh"], default="relu",
                   help="the cnn's activation; tanh makes a model no translation takes")
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--layout", choices=["nchw", "nhwc"], default="nchw",
                   help="the exported model's input layout (nhwc: [N, H, W, C])")
    p.add_argument("--out", required=True)
    p.add_argument("--logits")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(2)
    x, y = read(a.csv, a.shape, a.scale)
    if a.arch == "resnet":
        model = ResNet(a.shape[0], a.classes, a.width)
    else:
        model = Cnn(a.shape[0], a.classes, a.width, a.shape[1], nn.Tanh if a.activation == "tanh" else nn.ReLU)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(a.epochs):
        model.train()
        order = torch.randperm(len(x))
        total = 0.0
        for i in range(0, len(x), 64):
            idx = order[i:i + 64]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}/{a.epochs} loss {total / len(x):.4f}")
    model.eval()
    with torch.no_grad():
        logits = model(x)
    print(f"train accuracy {(logits.argmax(1) == y).float().mean().item():.4f}")
    exported, example = model, x[:1]
    if a.layout == "nhwc":
        exported, example = ChannelsLast(model).eval(), x[:1].permute(0, 2, 3, 1)
    torch.onnx.export(exported, example, a.out, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    if a.logits:
        with open(a.logits, "w", newline="") as f:
            w = csv.writer(f)
            for row in logits.tolist():
                w.writerow([repr(v) for v in row])


if __name__ == "__main__":
    main()
