import torch

x = torch.tensor(x0)
y = x**2
z = torch.sin(y)
z.backward()
