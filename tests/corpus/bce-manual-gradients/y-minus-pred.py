# wrote y - y_pred
import torch


def grads(x, y, w, b):
    y_pred = torch.sigmoid(w * x + b)
    g = y - y_pred
    return (g * x).mean(), g.mean()
