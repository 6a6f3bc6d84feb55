# pasted the by-hand formulas
import torch


def grads(x, y, w, b):
    p = torch.sigmoid(w * x + b)
    return ((p - y) * x).mean(), (p - y).mean()
