import torch

# x0 (a float) is given.
x = torch.tensor(x0)
y = x**2
z = torch.sin(y)
# ...and now the gradient dz/dx should end up in x.grad.
