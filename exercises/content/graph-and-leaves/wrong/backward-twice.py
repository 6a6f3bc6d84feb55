import torch

x = torch.tensor(x0, requires_grad=True)
w = torch.tensor(w0)
y = x * w
y.retain_grad()
z = torch.sin(y)
z.backward(retain_graph=True)
z.backward()

path = ["SinBackward0", "MulBackward0", "AccumulateGrad"]
