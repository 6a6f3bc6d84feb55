# computed sin(x)**2
import torch

x = torch.tensor(x0, requires_grad=True)
z = torch.sin(x) ** 2
z.backward()
