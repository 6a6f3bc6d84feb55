import torch

x = torch.tensor(x0, requires_grad=True)
with torch.no_grad():
    y = x**2
z = torch.sin(y)
z.backward()
