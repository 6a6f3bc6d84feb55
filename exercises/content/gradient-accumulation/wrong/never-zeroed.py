import torch

# x_values, y_values (lists of floats), w0, b0, lr (floats) and steps (an int) are given.
x = torch.tensor(x_values, dtype=torch.float64)
y = torch.tensor(y_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

# Sanity check: the gradient at the starting point.
loss = ((w * x + b - y) ** 2).mean()
loss.backward()
print("initial gradient:", w.grad.item(), b.grad.item())

losses = []
for step in range(steps):
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    losses.append(loss.item())

print("w =", w.item(), "b =", b.item())
