# kept a copy but built y from it
import torch

x = torch.tensor(x_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

pred = w * x**2 + b
pred_copy = pred.detach()
y = pred_copy.sum()
y.backward()
