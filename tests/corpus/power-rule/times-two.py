# multiplied x.grad by the exponent once more
import torch


def slope(x0):
    x = torch.tensor(x0, requires_grad=True)
    y = x * x
    y.backward()
    return 2 * x.grad
