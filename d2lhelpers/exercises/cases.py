"""Seeded random inputs for the property-style cases (the same numbers on every run)."""
from __future__ import annotations

import torch

__all__ = ['generator', 'randint', 'randn', 'probabilities']


def generator(seed: int) -> torch.Generator:
    """A CPU generator with a fixed seed: cases never depend on the global random state."""
    return torch.Generator().manual_seed(seed)


def randint(g: torch.Generator, low: int, high: int, size: tuple = ()) -> torch.Tensor:
    """Integers in ``[low, high)``; a plain int when ``size`` is ``()``."""
    t = torch.randint(low, high, size if size else (1,), generator=g)
    return t if size else int(t)


def randn(g: torch.Generator, *shape: int, scale: float = 1.0,
          dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Normal values times ``scale``, rounded to 3 decimals so that they print briefly."""
    x = torch.randn(*shape, generator=g, dtype=torch.float64) * scale
    return torch.round(x * 1000).div(1000).to(dtype)


def probabilities(g: torch.Generator, n: int, q: int,
                  dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Rows of probabilities (softmax of random logits), none of them exactly 0."""
    return torch.softmax(randn(g, n, q, scale=1.5, dtype=torch.float64), dim=1).to(dtype)
