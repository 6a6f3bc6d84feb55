import torch

# x_values (a list of floats), w0 and b0 (floats) are given.
x = torch.tensor(x_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

# Looking at the data first: no tracking needed for that ("saves memory").
w.requires_grad_(False)
b.requires_grad_(False)
print("first prediction:", (w * x[0] ** 2 + b).item())

y = (w * x**2 + b).sum()
y.backward()
