# made w a plain tensor
import torch

x = torch.tensor(x_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

y = (w * x**2 + b).sum()
y.backward()
