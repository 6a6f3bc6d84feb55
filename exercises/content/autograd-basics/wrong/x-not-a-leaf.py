import torch

x = torch.tensor(x0, requires_grad=True).double()
y = x**2
z = torch.sin(y)
z.backward()
