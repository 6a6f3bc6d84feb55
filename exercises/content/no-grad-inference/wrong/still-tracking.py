import torch

# x_train_values, y_train_values, x_test_values (lists of floats), w0, b0 are given.
x_train = torch.tensor(x_train_values, dtype=torch.float64)
y_train = torch.tensor(y_train_values, dtype=torch.float64)
x_test = torch.tensor(x_test_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

# The backward pass of a training step: w.grad and b.grad hold the training gradients.
loss = ((w * x_train + b - y_train) ** 2).mean()
loss.backward()

# Evaluation on the test inputs: this should not build a graph.
preds = w * x_test + b
