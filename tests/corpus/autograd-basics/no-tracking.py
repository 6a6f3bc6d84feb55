# forgot requires_grad, called backward anyway
import torch

x = torch.tensor(x0)
y = x ** 2
z = torch.sin(y)
z.backward()
print(x.grad)
