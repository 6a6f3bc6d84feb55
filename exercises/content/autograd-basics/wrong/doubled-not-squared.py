import torch

x = torch.tensor(x0, requires_grad=True)
y = x + x
z = torch.sin(y)
z.backward()
