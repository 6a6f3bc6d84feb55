# cleared x.grad after backward to be tidy
import torch

x = torch.tensor(x0, requires_grad=True)
y = x**2
z = torch.sin(y)
z.backward()
x.grad.zero_()
