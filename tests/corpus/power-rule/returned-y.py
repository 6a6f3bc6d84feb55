# returned y after backward
import torch


def slope(x0):
    x = torch.tensor(x0, requires_grad=True)
    y = x ** 2
    y.backward()
    return y.detach()
