import torch

x = torch.tensor(x0, requires_grad=True)
w = torch.tensor(w0)
y = x * w
y.retain_grad()
z = torch.sin(y)
y.backward(retain_graph=True)

path = []
node = z.grad_fn
while node is not None:
    path.append(type(node).__name__)
    node = node.next_functions[0][0] if node.next_functions else None
