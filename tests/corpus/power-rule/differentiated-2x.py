# differentiated the derivative 2x instead of x²
import torch


def slope(x0):
    x = torch.tensor(x0, requires_grad=True)
    y = 2 * x
    y.backward()
    return x.grad
