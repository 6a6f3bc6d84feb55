# summed the loss over the batch
import torch
import torch.nn.functional as F


def grads(x, y, w, b):
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    y_pred = torch.sigmoid(w * x + b)
    loss = F.binary_cross_entropy(y_pred, y, reduction='sum')
    loss.backward()
    return w.grad, b.grad
