# called backward twice
import torch
import torch.nn.functional as F


def grads(x, y, w, b):
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = F.binary_cross_entropy(torch.sigmoid(w * x + b), y)
    loss.backward(retain_graph=True)
    loss.backward()
    return w.grad, b.grad
