"""Computation for the app: a NumPy backprop engine and a PyTorch trainer. Never imports streamlit."""
