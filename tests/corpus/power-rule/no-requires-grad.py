# created x without tracking, then called backward
import torch


def slope(x0):
    x = torch.tensor(x0)
    y = x**2
    y.backward()
    return x.grad
