import torch

# Each function gets tensors with one value per example and returns one value per
# example. The model: z = w*x + b, y_hat = sigmoid(z), L = -[y log(y_hat) + (1-y) log(1-y_hat)].


def dL_dyhat(y_hat, y):
    return torch.zeros_like(y_hat)


def dyhat_dz(z):
    return torch.zeros_like(z)


def dz_dw(x):
    return torch.zeros_like(x)


def dz_db(x):
    return torch.zeros_like(x)


def dL_dw(x, y, w, b):
    """The product of the pieces: dL/dy_hat * dy_hat/dz * dz/dw."""
    return torch.zeros_like(x)


def dL_db(x, y, w, b):
    """dL/dy_hat * dy_hat/dz * dz/db."""
    return torch.zeros_like(x)
