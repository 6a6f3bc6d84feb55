# followed the notes' "(y_hat - y) x y_hat(1 - y_hat)" line for the products
import torch


def dL_dyhat(y_hat, y):
    return (y_hat - y) / (y_hat * (1 - y_hat))


def dyhat_dz(z):
    return torch.sigmoid(z) * (1 - torch.sigmoid(z))


def dz_dw(x):
    return x


def dz_db(x):
    return torch.ones_like(x)


def dL_dw(x, y, w, b):
    p = torch.sigmoid(w * x + b)
    return (p - y) * p * (1 - p) * x


def dL_db(x, y, w, b):
    p = torch.sigmoid(w * x + b)
    return (p - y) * p * (1 - p)
