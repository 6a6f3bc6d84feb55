# wrote the loss without the mean
import torch
import torch.nn.functional as F


def grads(x, y, w, b):
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    p = torch.sigmoid(w * x + b)
    loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p))
    loss.backward()
    return w.grad, b.grad
