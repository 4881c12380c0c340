"""The MLP engine vs torch autograd, central differences and Matt Mazur's worked example."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.engine.activations import ACTIVATIONS
from core.engine.network import MLP

TORCH_ACT = {
    "linear": lambda t: t,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
    "elu": F.elu,
    "selu": F.selu,
    "gelu": F.gelu,
    "silu": F.silu,
    "softplus": F.softplus,
}

PAIRS = [  # (output activation, loss)
    ("linear", "mse"),
    ("linear", "half_sse"),
    ("sigmoid", "mse"),
    ("sigmoid", "half_sse"),
    ("sigmoid", "binary_crossentropy"),
    ("softmax", "crossentropy"),
    ("softmax", "half_sse"),
]


def make_data(sizes, output, loss, n=7, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    if loss == "crossentropy":
        y = rng.integers(0, sizes[-1], size=n)
    elif loss == "binary_crossentropy":
        y = rng.integers(0, 2, size=(n, sizes[-1])).astype(float)
    elif output == "softmax":
        y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=n)]
    else:
        y = rng.normal(size=(n, sizes[-1]))
    return X, y


def torch_reference(net, X, y, activation, output, loss, l2=0.0, smoothing=0.0, masks=None):
    """Same network in torch: (loss, grads, dZ, dA) by autograd."""
    params = [torch.tensor(p, requires_grad=True) for p in net.params]
    A = torch.tensor(X)
    Zs, As = [], []
    for l in range(net.n_layers):
        Z = A @ params[2 * l] + params[2 * l + 1]
        Z.retain_grad()
        Zs.append(Z)
        if l < net.n_layers - 1:
            A = TORCH_ACT[activation](Z)
            if masks is not None:
                A = A * torch.tensor(masks[l])
        else:
            A = {"linear": lambda t: t, "sigmoid": torch.sigmoid, "softmax": lambda t: torch.softmax(t, 1)}[output](Z)
        A.retain_grad()
        As.append(A)
    yt = torch.tensor(y)
    if loss == "crossentropy":
        L = F.cross_entropy(Zs[-1], yt, label_smoothing=smoothing)
    elif loss == "binary_crossentropy":
        L = F.binary_cross_entropy_with_logits(Zs[-1], yt)
    elif loss == "mse":
        L = F.mse_loss(A, yt)
    else:
        L = 0.5 * ((A - yt) ** 2).sum() / X.shape[0]
    L = L + 0.5 * l2 * sum((W**2).sum() for W in params[0::2])
    L.backward()
    return L.item(), [p.grad.numpy() for p in params], [Z.grad.numpy() for Z in Zs], [
        None if a.grad is None else a.grad.numpy() for a in As
    ]


@pytest.mark.parametrize("output,loss", PAIRS)
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_gradients_match_torch_autograd(activation, output, loss):
    sizes = [3, 5, 4, 3]
    net = MLP(sizes, activation=activation, output=output, init="glorot_normal", seed=1)
    for b in net.b:  # non-zero biases so they matter
        b[:] = np.random.default_rng(2).normal(size=b.shape) * 0.3
    X, y = make_data(sizes, output, loss)
    cache = net.forward_cache(X)
    before = [p.copy() for p in net.params]
    bw = net.backward(cache, y, loss)
    ref_loss, ref_grads, ref_dZ, ref_dA = torch_reference(net, X, y, activation, output, loss)
    assert bw.loss == pytest.approx(ref_loss, rel=1e-12)
    for g, r in zip(bw.grads, ref_grads):
        assert g.shape == r.shape
        np.testing.assert_allclose(g, r, rtol=1e-9, atol=1e-14)
    for d, r in zip(bw.dZ, ref_dZ):
        np.testing.assert_allclose(d, r, rtol=1e-9, atol=1e-14)
    for d, r in zip(bw.dA[:-1], ref_dA[:-1]):
        np.testing.assert_allclose(d, r, rtol=1e-9, atol=1e-14)
    if loss != "crossentropy" and loss != "binary_crossentropy":  # torch never sees softmax/sigmoid output there
        np.testing.assert_allclose(bw.dA[-1], ref_dA[-1], rtol=1e-9, atol=1e-14)
    for p, q in zip(net.params, before):
        np.testing.assert_array_equal(p, q)  # backward never updates weights
    # shapes of the cache
    assert [Z.shape for Z in cache.Z] == [(7, s) for s in sizes[1:]]
    assert len(cache.A) == 4 and cache.A[0] is not None and cache.A[0].shape == (7, 3)
    np.testing.assert_allclose(cache.A[-1], net.forward(X))


@pytest.mark.parametrize(
    "activation,output,loss",
    [(a, "softmax", "crossentropy") for a in sorted(ACTIVATIONS)]
    + [("tanh", o, l) for o, l in PAIRS]
    + [("gelu", "sigmoid", "binary_crossentropy")],
)
def test_gradients_vs_central_differences(activation, output, loss):
    sizes = [2, 4, 3]
    net = MLP(sizes, activation=activation, output=output, init="glorot_uniform", seed=3)
    X, y = make_data(sizes, output, loss, n=5, seed=4)
    l2 = 0.01
    _, grads = net.loss_and_grads(X, y, loss, l2=l2)
    theta0 = net.get_flat()
    numeric = np.zeros_like(theta0)
    h = 1e-6
    for i in range(theta0.size):
        for sign in (1, -1):
            theta = theta0.copy()
            theta[i] += sign * h
            net.set_flat(theta)
            numeric[i] += sign * net.loss_and_grads(X, y, loss, l2=l2)[0] / (2 * h)
    net.set_flat(theta0)
    np.testing.assert_allclose(np.concatenate([g.ravel() for g in grads]), numeric, rtol=1e-5, atol=1e-8)


def test_l2_and_label_smoothing_match_torch():
    sizes = [4, 6, 3]
    net = MLP(sizes, activation="relu", output="softmax", seed=5)
    X, y = make_data(sizes, "softmax", "crossentropy", n=9)
    bw = net.backward(net.forward_cache(X), y, "crossentropy", l2=0.05, label_smoothing=0.1)
    ref_loss, ref_grads, _, _ = torch_reference(net, X, y, "relu", "softmax", "crossentropy", 0.05, 0.1)
    assert bw.loss == pytest.approx(ref_loss, rel=1e-12)
    assert bw.penalty == pytest.approx(0.025 * sum((W**2).sum() for W in net.W))
    for g, r in zip(bw.grads, ref_grads):
        np.testing.assert_allclose(g, r, rtol=1e-9, atol=1e-14)


def test_dropout_matches_torch_with_same_masks():
    sizes = [3, 8, 8, 2]
    net = MLP(sizes, activation="tanh", output="linear", seed=6)
    X, y = make_data(sizes, "linear", "mse", n=10)
    cache = net.forward_cache(X, dropout=0.5, rng=np.random.default_rng(0))
    masks = cache.masks
    assert masks[-1] is None and set(np.unique(masks[0])) <= {0.0, 2.0} and (masks[0] == 0).any()
    bw = net.backward(cache, y, "mse")
    ref_loss, ref_grads, _, _ = torch_reference(net, X, y, "tanh", "linear", "mse", masks=masks)
    assert bw.loss == pytest.approx(ref_loss, rel=1e-12)
    for g, r in zip(bw.grads, ref_grads):
        np.testing.assert_allclose(g, r, rtol=1e-9, atol=1e-14)


def mazur_net():
    W1 = np.array([[0.15, 0.25], [0.20, 0.30]])  # rows: i1, i2; columns: h1, h2
    W2 = np.array([[0.40, 0.50], [0.45, 0.55]])  # rows: h1, h2; columns: o1, o2
    return MLP.from_params([W1, [0.35, 0.35], W2, [0.60, 0.60]], activation="sigmoid", output="sigmoid")


def test_mazur_worked_example():
    net = mazur_net()
    X, y = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    cache = net.forward_cache(X)
    np.testing.assert_allclose(cache.A[1], [[0.593269992, 0.596884378]], atol=1e-9)  # out_h1, out_h2
    np.testing.assert_allclose(cache.A[2], [[0.75136507, 0.772928465]], atol=1e-8)  # out_o1, out_o2
    bw = net.backward(cache, y, "half_sse")
    assert round(bw.loss, 9) == 0.298371109
    dW1, db1, dW2, db2 = bw.grads
    assert round(dW2[0, 0], 9) == 0.082167041  # ∂E/∂w5
    assert round(dW2[1, 0], 9) == 0.082667628  # ∂E/∂w6
    assert round(dW2[0, 1], 9) == -0.022602540  # ∂E/∂w7
    assert round(dW1[0, 0], 9) == 0.000438568  # ∂E/∂w1
    np.testing.assert_allclose(bw.dA[0][0, 0], 0.036350306, atol=1e-9)  # ∂E_total/∂out_h1
    # one SGD step on the weights only, η = 0.5
    for W, dW in zip(net.W, (dW1, dW2)):
        W -= 0.5 * dW
    assert round(net.params[2][0, 0], 8) == 0.35891648  # w5+
    assert round(net.params[0][0, 0], 9) == 0.149780716  # w1+
    assert round(net.loss_and_grads(X, y, "half_sse")[0], 9) == 0.291027774


def test_params_are_updated_in_place_and_views_share_memory():
    net = MLP([2, 3, 1], seed=0)
    W0 = net.params[0]
    assert net.W[0] is W0 and net.b[1] is net.params[3]
    out0 = net.forward(np.ones((1, 2)))
    W0 += 1.0  # what an optimizer does
    assert net.W[0] is W0 and not np.allclose(net.forward(np.ones((1, 2))), out0)


def test_construction_properties_and_copy():
    net = MLP([2, 10, 10, 1], activation="tanh", output="sigmoid", init="glorot_normal", seed=3)
    assert net.n_layers == 3 and net.layer_sizes == [2, 10, 10, 1]
    assert net.n_params == 2 * 10 + 10 + 10 * 10 + 10 + 10 + 1
    assert all(not b.any() for b in net.b)  # biases start at zero
    same = MLP([2, 10, 10, 1], activation="tanh", output="sigmoid", init="glorot_normal", seed=3)
    assert all(np.array_equal(p, q) for p, q in zip(net.params, same.params))
    via_rng = MLP([2, 10, 10, 1], init="glorot_normal", seed=np.random.default_rng(3))
    assert np.array_equal(via_rng.params[0], net.params[0])
    clone = net.copy()
    clone.params[0] += 1.0
    assert not np.array_equal(clone.params[0], net.params[0])
    src = [p.copy() for p in net.params]
    built = MLP.from_params(src, activation="tanh", output="sigmoid")
    src[0] += 1.0
    assert np.array_equal(built.params[0], net.params[0])  # from_params copied


def test_predict():
    X = np.random.default_rng(0).normal(size=(6, 2))
    soft = MLP([2, 4, 3], output="softmax", seed=1)
    np.testing.assert_array_equal(soft.predict(X), soft.forward(X).argmax(axis=1))
    sig = MLP([2, 4, 1], output="sigmoid", seed=1)
    np.testing.assert_array_equal(sig.predict(X), (sig.forward(X)[:, 0] >= 0.5).astype(int))
    lin = MLP([2, 4, 2], seed=1)
    np.testing.assert_array_equal(lin.predict(X), lin.forward(X))


def test_one_dimensional_targets_for_single_output():
    net = MLP([2, 3, 1], output="sigmoid", seed=0)
    X = np.random.default_rng(0).normal(size=(4, 2))
    y = np.array([0.0, 1.0, 1.0, 0.0])
    assert net.loss_and_grads(X, y, "binary_crossentropy")[0] == pytest.approx(
        net.loss_and_grads(X, y[:, None], "binary_crossentropy")[0]
    )


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(layer_sizes=[3]), "at least 2"),
        (dict(layer_sizes=[3, 0, 1]), "positive"),
        (dict(layer_sizes=[3, 2.5, 1]), "positive"),
        (dict(layer_sizes=[2, 1], activation="swish"), "valid: .*relu"),
        (dict(layer_sizes=[2, 1], output="tanh"), "valid: linear, sigmoid, softmax"),
        (dict(layer_sizes=[2, 1], init="xavier"), "valid: .*glorot_normal"),
        (dict(layer_sizes=[2, 1], seed="x"), "seed"),
    ],
)
def test_bad_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP(**kwargs)


def test_bad_calls():
    net = MLP([2, 3, 2], output="softmax", seed=0)
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"shape \(n_samples, 2\)"):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="valid: mse, half_sse, binary_crossentropy, crossentropy"):
        net.loss_and_grads(X, np.zeros(4, int), "hinge")
    with pytest.raises(ValueError, match="needs output='sigmoid'"):
        net.loss_and_grads(X, np.zeros((4, 2)), "binary_crossentropy")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        net.loss_and_grads(X, np.array([0, 1, 2, 1]), "crossentropy")
    with pytest.raises(ValueError, match="targets"):
        net.loss_and_grads(X, np.zeros((4, 3)), "mse")
    with pytest.raises(ValueError, match="needs output='softmax'"):
        MLP([2, 2], seed=0).loss_and_grads(X, np.zeros(4, int), "crossentropy")
    with pytest.raises(ValueError, match="l2"):
        net.loss_and_grads(X, np.zeros(4, int), "crossentropy", l2=-1.0)
    with pytest.raises(ValueError, match="dropout"):
        net.forward_cache(X, dropout=1.0)
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        MLP.from_params([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match="outputs"):
        MLP.from_params([np.zeros((2, 3)), np.zeros(3), np.zeros((4, 1)), np.zeros(1)])
    with pytest.raises(ValueError, match="flat"):
        net.set_flat(np.zeros(3))


def test_repeated_passes_reuse_memory():
    """With the allocator tuned, a warm pass allocates no fresh pages (page faults, not time)."""
    from core.memory import keep_freed_memory

    if not keep_freed_memory():
        pytest.skip("glibc malloc tuning is not available on this platform (or CORE_MALLOC_TUNING=0)")
    resource = pytest.importorskip("resource")
    net = MLP([784, 256, 256, 10], output="softmax", seed=0)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(256, 784)), rng.integers(0, 10, size=256)
    for _ in range(3):
        net.loss_and_grads(X, y, "crossentropy")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(5):
        net.loss_and_grads(X, y, "crossentropy")
    # an untuned pass faults in ~2000 fresh 4 KiB pages (its ~8 MB of temporaries)
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 5 < 200


@pytest.mark.parametrize("output,loss", PAIRS)
@pytest.mark.parametrize("activation", ["gelu", "relu", "tanh"])
def test_a_training_step_backward_gives_the_same_loss_and_gradients_without_the_display_values(activation, output, loss):
    """keep=False (the training loop's backward) skips dZ, dA and dL/dŷ for display, not a digit of the gradients."""
    sizes = [3, 5, 4, 3]
    net = MLP(sizes, activation=activation, output=output, init="glorot_normal", seed=1)
    X, y = make_data(sizes, output, loss)
    cache = net.forward_cache(X)
    full, lean = net.backward(cache, y, loss, l2=0.1), net.backward(cache, y, loss, l2=0.1, keep=False)
    assert lean.loss == full.loss and lean.dZ == [] and lean.dA == []
    for g, h in zip(lean.grads, full.grads):
        np.testing.assert_array_equal(g, h)
    assert net.loss_and_grads(X, y, loss, l2=0.1)[0] == full.loss
