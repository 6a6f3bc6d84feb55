# made x as a sum, so it is not a leaf
import torch

x = torch.tensor(x0, requires_grad=True) + 0
y = x**2
z = torch.sin(y)
z.backward()
