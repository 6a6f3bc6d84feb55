# made x a float64 tensor
import torch


def slope(x0):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = x**2
    y.backward()
    return x.grad
