# multiplied by sigma' after dL/dz
import torch


def grads(x, y, w, b):
    y_pred = torch.sigmoid(w * x + b)
    s = y_pred
    d = (s - y) * s * (1 - s)
    return float((d * x).mean()), float(d.mean())
