# set requires_grad = False on the parameters
import torch

x_train = torch.tensor(x_train_values, dtype=torch.float64)
y_train = torch.tensor(y_train_values, dtype=torch.float64)
x_test = torch.tensor(x_test_values, dtype=torch.float64)
w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
b = torch.tensor(b0, dtype=torch.float64, requires_grad=True)

loss = ((w * x_train + b - y_train) ** 2).mean()
loss.backward()

w.requires_grad = False
b.requires_grad = False
preds = w * x_test + b
