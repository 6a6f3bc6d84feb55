import torch
import torch.nn.functional as F

# x_values, y_values (lists; y is 0 or 1), w0, b0, lr (floats) and steps (an int) are given.
x = torch.tensor(x_values, dtype=torch.float64)
y = torch.tensor(y_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

# 1. By hand, at (w0, b0): the pair (dL/dw, dL/db) of the mean BCE loss.
manual_grads = (0.0, 0.0)

# 2. By autograd, at (w0, b0): build the loss, call backward(), keep the two numbers.
auto_grads = (0.0, 0.0)

# 3. Train: `steps` steps of gradient descent with learning rate lr.
losses = []
for step in range(steps):
    y_pred = torch.sigmoid(w * x + b)
    loss = F.binary_cross_entropy(y_pred, y)
    losses.append(loss.item())
