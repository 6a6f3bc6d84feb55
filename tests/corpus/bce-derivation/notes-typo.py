# took the notes' dL/dy_hat = (y_hat - y) literally, pieces otherwise right
import torch


def dL_dyhat(y_hat, y):
    # from the notes: dL/dy_pred = (y_hat - y)
    return y_hat - y


def dyhat_dz(z):
    sig = torch.sigmoid(z)
    return sig * (1 - sig)


def dz_dw(x):
    return x


def dz_db(x):
    return 1.0


def dL_dw(x, y, w, b):
    z = w * x + b
    return dL_dyhat(torch.sigmoid(z), y) * dyhat_dz(z) * dz_dw(x)


def dL_db(x, y, w, b):
    z = w * x + b
    return dL_dyhat(torch.sigmoid(z), y) * dyhat_dz(z) * dz_db(x)
