# used squared error instead of BCE
import torch
import torch.nn.functional as F


def grads(x, y, w, b):
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    y_pred = torch.sigmoid(w * x + b)
    loss = ((y_pred - y) ** 2).mean()
    loss.backward()
    return w.grad, b.grad
