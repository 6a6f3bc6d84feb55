# gave probabilities to the _with_logits loss
import torch
import torch.nn.functional as F


def grads(x, y, w, b):
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    p = torch.sigmoid(w * x + b)
    F.binary_cross_entropy_with_logits(p, y).backward()
    return w.grad, b.grad
