# made w track gradients too, and walked the second input
import torch

x = torch.tensor(x0, requires_grad=True)
w = torch.tensor(w0, requires_grad=True)
y = x * w
y.retain_grad()
z = torch.sin(y)
z.backward()
path = []
node = z.grad_fn
while node is not None:
    path.append(type(node).__name__)
    node = node.next_functions[-1][0] if node.next_functions else None
