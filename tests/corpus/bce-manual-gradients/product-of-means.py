# multiplied the means instead of averaging the product
import torch


def grads(x, y, w, b):
    y_pred = torch.sigmoid(w * x + b)
    return (y_pred - y).mean() * x.mean(), (y_pred - y).mean()
