# computed z inside no_grad
import torch

x = torch.tensor(x0, requires_grad=True)
y = x**2
with torch.no_grad():
    z = torch.sin(y)
z.backward()
