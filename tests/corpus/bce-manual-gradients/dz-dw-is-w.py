# took dz/dw as w
import torch


def grads(x, y, w, b):
    y_pred = torch.sigmoid(w * x + b)
    g = y_pred - y
    return (g * w).mean(), g.mean()
