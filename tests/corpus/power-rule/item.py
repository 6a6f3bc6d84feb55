# returned a Python float with .item()
import torch


def slope(x0):
    x = torch.tensor(x0, requires_grad=True)
    y = x**2
    y.backward()
    return x.grad.item()
