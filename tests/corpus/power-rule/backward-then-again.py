# called backward twice to be sure
import torch


def slope(x0):
    x = torch.tensor(x0, requires_grad=True)
    y = x**2
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    return x.grad
