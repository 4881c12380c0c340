"""A torch twin of an engine MLP (same weights, batch norm, dropout masks), for the parity tests."""

import numpy as np
import torch
import torch.nn.functional as F

TORCH_ACT = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda t: t}
TORCH_OUT = {"linear": lambda t: t, "sigmoid": torch.sigmoid, "softmax": lambda t: torch.softmax(t, 1)}


class TorchTwin:
    """Parameters as leaf tensors in the engine's order; running statistics as buffers like nn.BatchNorm1d."""

    def __init__(self, net):
        self.net = net
        self.params = [torch.tensor(p, requires_grad=True) for p in net.params]
        self.running = [(torch.tensor(s.mean), torch.tensor(s.var)) for s in net.stats]  # copies

    def forward(self, X, masks=None, train=True):
        """Logits of the last layer and the outputs."""
        A = torch.as_tensor(np.asarray(X, dtype=np.float64))
        i, L = 0, self.net.n_layers
        for l in range(L):
            Z = A @ self.params[i] + self.params[i + 1]
            i += 2
            if l == L - 1:
                return Z, TORCH_OUT[self.net.output](Z)
            if self.net.batchnorm:
                mean, var = self.running[l]
                Z = F.batch_norm(Z, mean, var, self.params[i], self.params[i + 1], training=train, momentum=0.1, eps=1e-5)
                i += 2
            A = TORCH_ACT[self.net.activation](Z)
            if masks is not None and masks[l] is not None:
                A = A * torch.tensor(masks[l])

    def loss(self, X, y, loss, masks=None, l1=0.0, l2=0.0, train=True):
        """The objective with explicit penalties on the weight matrices."""
        Z, P = self.forward(X, masks, train)
        yt = torch.as_tensor(np.asarray(y))
        if loss == "crossentropy":
            value = F.cross_entropy(Z, yt)
        elif loss == "binary_crossentropy":
            value = F.binary_cross_entropy_with_logits(Z, yt.reshape(Z.shape).double())
        else:
            value = F.mse_loss(P, yt.reshape(P.shape).double())
        Ws = [self.params[i] for i in self.net.weight_index]
        return value + l1 * sum(W.abs().sum() for W in Ws) + 0.5 * l2 * sum((W**2).sum() for W in Ws)
