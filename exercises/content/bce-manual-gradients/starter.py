import torch


def grads(x, y, w, b):
    """Return (dL/dw, dL/db) for the mean binary cross-entropy loss, by hand."""
    z = w * x + b
    y_pred = torch.sigmoid(z)
    # Chain rule, one factor per step: dL/dw = dL/dy_pred * dy_pred/dz * dz/dw (§4).
    dL_dw = 0.0
    dL_db = 0.0
    return dL_dw, dL_db
