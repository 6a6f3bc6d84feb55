import torch

# x0 and w0 (floats) are given.
x = torch.tensor(x0, requires_grad=True)
w = torch.tensor(w0)
y = x * w
z = torch.sin(y)

# 1. Keep the gradient at y (it is not a leaf), then back-propagate from z.
# 2. Walk the graph from z.grad_fn back to x through next_functions and record the
#    type name of every node in the list `path`.
path = []
