"""The training engine of every method: the loop (core), the image GAN engine (loop), the
method protocol (protocol); see docs/ARCHITECTURE.md and docs/IMAGE_ENGINE.md."""

from methods.engine.core import Model, Schedule, train_loop
from methods.engine.loop import Engine, EngineConfig, Evaluator, GANMethod
from methods.engine.state import (
    EMA,
    BatchStream,
    balanced_labels,
    cache_root,
    preserved_rng,
    resolve_device,
    rng_states,
    seed_all,
    set_rng_states,
)

__all__ = ["EMA", "BatchStream", "Engine", "EngineConfig", "Evaluator", "GANMethod", "Model",
           "Schedule", "balanced_labels", "cache_root", "preserved_rng", "resolve_device",
           "rng_states", "seed_all", "set_rng_states", "train_loop"]
