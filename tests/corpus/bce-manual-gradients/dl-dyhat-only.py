# used dL/dy_pred as the whole gradient
import torch


def grads(x, y, w, b):
    y_pred = torch.sigmoid(w * x + b)
    d = -y / y_pred + (1 - y) / (1 - y_pred)
    return (d * x).mean(), d.mean()
