import torch


def grads(x, y, w, b):
    y_pred = torch.sigmoid(w * x + b)
    dL_dz = (y_pred - y) / x.numel()  # the loss is a mean over the batch
    return (dL_dz * x).sum(), dL_dz.sum()
