"""The Playground page: TensorFlow Playground's live 2-D training on the NumPy engine (data, features, runs, pictures)."""
