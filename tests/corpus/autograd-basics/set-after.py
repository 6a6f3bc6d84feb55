# switched requires_grad on after computing z
import torch

x = torch.tensor(x0)
y = x**2
z = torch.sin(y)
x.requires_grad = True
z.backward()
