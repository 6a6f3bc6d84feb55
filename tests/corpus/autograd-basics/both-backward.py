# called backward on y and then on z
import torch

x = torch.tensor(x0, requires_grad=True)
y = x**2
z = torch.sin(y)
y.backward(retain_graph=True)
z.backward()
