def grads(x, y, w, b):
    z = w * x + b
    return ((z - y) * x).mean(), (z - y).mean()
