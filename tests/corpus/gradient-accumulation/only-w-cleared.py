# cleared w.grad but not b.grad
import torch

x = torch.tensor(x_values, dtype=torch.float64)
y = torch.tensor(y_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

loss = ((w * x + b - y) ** 2).mean()
loss.backward()
print("initial gradient:", w.grad.item(), b.grad.item())

losses = []
for step in range(steps):
    w.grad.zero_()  # clear what earlier backward() calls left, before this one adds
    loss = ((w * x + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    losses.append(loss.item())
