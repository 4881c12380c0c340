"""Parameter counts of dense networks against the lecture's figures and torch's own count."""

import pytest
import torch

from core.lessons.backprop.architecture import count_parameters, lecture_widget_sizes, parse_architecture


def torch_count(sizes) -> int:
    layers = [torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    return sum(p.numel() for layer in layers for p in layer.parameters())


def test_lecture_model_has_669706_parameters():
    count = count_parameters((784, 512, 512, 10))
    assert count.total == 669_706
    assert [w + b for w, b in zip(count.weights, count.biases)] == [401_920, 262_656, 5_130]  # fc1, fc2, fc3


def test_784_256_32_10():
    count = count_parameters((784, 256, 32, 10))
    assert count.total == 209_514 == 784 * 256 + 256 + 256 * 32 + 32 + 32 * 10 + 10
    assert (count.n_weights, count.n_biases) == (209_216, 298)  # 200,704 + 8,192 + 320 weights


@pytest.mark.parametrize("sizes", [(784, 512, 512, 10), (784, 256, 32, 10), (784, 265, 64, 32, 10), (2, 2, 2),
                                   (5, 5), (3, 7, 1, 4)])
def test_matches_torch(sizes):
    assert count_parameters(sizes).total == torch_count(sizes)


@pytest.mark.parametrize("layers,nodes,weights,biases", [(0, 6, 25, 5), (3, 6, 132, 23), (6, 12, 840, 77), (1, 1, 10, 6)])
def test_lecture_widget(layers, nodes, weights, biases):
    count = count_parameters(lecture_widget_sizes(layers, nodes))
    assert (count.n_weights, count.n_biases) == (weights, biases)


def test_parsing_and_errors():
    assert parse_architecture("784-512-512-10") == (784, 512, 512, 10)
    assert parse_architecture(" 4 x 3, 2 ") == (4, 3, 2)
    for bad, message in [("784", "at least two"), ("784-abc-10", "not a whole number"), ("", "at least two"),
                         ("3-0-2", "integers in")]:
        with pytest.raises(ValueError, match=message):
            parse_architecture(bad)
    with pytest.raises(ValueError, match="input and an output"):
        count_parameters([3])
    with pytest.raises(ValueError, match="hidden layers must be in 0–6"):
        lecture_widget_sizes(7, 3)
