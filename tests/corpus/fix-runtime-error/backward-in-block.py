# moved backward into the no_grad block
import torch

x = torch.tensor(x_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

with torch.no_grad():
    y = (w * x**2 + b).sum()
    y.backward()
