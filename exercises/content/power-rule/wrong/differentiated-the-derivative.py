import torch


def slope(x0):
    x = torch.tensor(x0, requires_grad=True)
    y = x + x  # dy/dx = 2x worked out first
    y.backward()
    return x.grad
