# wrote y = x*2 instead of x squared
import torch

x = torch.tensor(x0, requires_grad=True)
y = x * 2
z = torch.sin(y)
z.backward()
