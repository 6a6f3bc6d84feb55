import torch


def slope(x0):
    """dy/dx of y = x**2 at x0, computed by autograd."""
    x = torch.tensor(x0, requires_grad=True)
    y = x**2
    # TODO: back-propagate from y, so that the gradient lands on x.
    return x.grad
