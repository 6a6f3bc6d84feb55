# returned the power rule by hand, no autograd
import torch


def slope(x0):
    return torch.tensor(2 * x0)
