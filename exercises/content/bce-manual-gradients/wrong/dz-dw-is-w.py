import torch


def grads(x, y, w, b):
    err = torch.sigmoid(w * x + b) - y
    return w * err.mean(), err.mean()
