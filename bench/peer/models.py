"""Distillery's teacher and ds-cnn student in PyTorch, layer for layer (SAME 3x3 convolutions, 2x2 max pooling,
channel-major flatten), with Distillery's initialisation: He-normal weights (fan-in), zero biases."""
import torch
from torch import nn


def teacher(conv_filters=(32, 64), dense_units=128, classes=10, size=28, channels=1):
    layers, c, h = [], channels, size
    for f in conv_filters:
        layers += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU()]
        if h >= 4:
            layers.append(nn.MaxPool2d(2))
            h //= 2
        c = f
    layers += [nn.Flatten(), nn.Linear(c * h * h, dense_units), nn.ReLU(), nn.Linear(dense_units, classes)]
    return _init(nn.Sequential(*layers))


def student(stem=16, blocks=(32, 64), classes=10, size=28, channels=1):
    layers, h = [nn.Conv2d(channels, stem, 3, padding=1), nn.ReLU()], size
    if h > 7:
        layers.append(nn.MaxPool2d(2))
        h //= 2
    c = stem
    for f in blocks:
        layers += [nn.Conv2d(c, c, 3, padding=1, groups=c), nn.ReLU(), nn.Conv2d(c, f, 1), nn.ReLU()]
        if h > 7:
            layers.append(nn.MaxPool2d(2))
            h //= 2
        c = f
    layers += [nn.Flatten(), nn.Linear(c * h * h, classes)]
    return _init(nn.Sequential(*layers))


def _init(model):
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return model


def parameters(model):
    return sum(p.numel() for p in model.parameters())
