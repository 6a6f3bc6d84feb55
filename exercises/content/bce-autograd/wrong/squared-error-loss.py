import torch


def grads(x, y, w, b):
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    y_pred = torch.sigmoid(w * x + b)
    loss = torch.nn.functional.mse_loss(y_pred, y)
    loss.backward()
    return w.grad, b.grad
