import torch

x = torch.tensor(x0, requires_grad=True)
y = x**2
z = torch.sin(y)
z.backward(retain_graph=True)
y.backward()
