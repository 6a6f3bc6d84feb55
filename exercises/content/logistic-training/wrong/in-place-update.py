import torch
import torch.nn.functional as F

x = torch.tensor(x_values, dtype=torch.float64)
y = torch.tensor(y_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

# By hand (§4): dL/dz = y_pred - y, averaged over the batch.
with torch.no_grad():
    y_pred = torch.sigmoid(w * x + b)
    manual_grads = (((y_pred - y) * x).mean().item(), (y_pred - y).mean().item())

# By autograd.
loss = F.binary_cross_entropy(torch.sigmoid(w * x + b), y)
loss.backward()
auto_grads = (w.grad.item(), b.grad.item())

losses = []
for step in range(steps):
    w.grad.zero_()
    b.grad.zero_()
    loss = F.binary_cross_entropy(torch.sigmoid(w * x + b), y)
    loss.backward()
    w -= lr * w.grad
    b -= lr * b.grad
    losses.append(loss.item())
