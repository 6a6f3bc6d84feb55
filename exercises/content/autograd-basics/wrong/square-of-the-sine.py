import torch

x = torch.tensor(x0, requires_grad=True)
y = torch.sin(x)
z = y * y
z.backward()
