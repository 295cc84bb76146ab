"""The shared training engine of the image GAN methods (see docs/IMAGE_ENGINE.md)."""

from methods.engine.loop import Engine, EngineConfig, Evaluator, GANMethod
from methods.engine.state import (
    EMA,
    BatchStream,
    cache_root,
    resolve_device,
    rng_states,
    seed_all,
    set_rng_states,
)

__all__ = ["EMA", "BatchStream", "Engine", "EngineConfig", "Evaluator", "GANMethod",
           "cache_root", "resolve_device", "rng_states", "seed_all", "set_rng_states"]
