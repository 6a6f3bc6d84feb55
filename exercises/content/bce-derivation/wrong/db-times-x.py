import torch


def dL_dyhat(y_hat, y):
    return -y / y_hat + (1 - y) / (1 - y_hat)


def dyhat_dz(z):
    s = torch.sigmoid(z)
    return s * (1 - s)


def dz_dw(x):
    return x


def dz_db(x):
    return torch.ones_like(x)


def dL_dw(x, y, w, b):
    z = w * x + b
    y_hat = torch.sigmoid(z)
    return dL_dyhat(y_hat, y) * dyhat_dz(z) * dz_dw(x)


def dL_db(x, y, w, b):
    z = w * x + b
    y_hat = torch.sigmoid(z)
    return dL_dyhat(y_hat, y) * dyhat_dz(z) * dz_db(x) * dz_dw(x)
