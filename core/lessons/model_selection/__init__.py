"""What the model-selection page computes: early stopping, capacity, L1/L2, dropout and batch norm on small data."""
