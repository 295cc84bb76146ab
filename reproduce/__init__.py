"""Benchmark reproduction harness for self-labeled and class-conditional GAN papers."""

__version__ = "0.1.0"
