# rounded x0 to an int
import torch

x = torch.tensor(int(x0), requires_grad=True)
y = x**2
z = torch.sin(y)
z.backward()
