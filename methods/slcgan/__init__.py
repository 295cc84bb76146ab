"""noroozi: self-labeled conditional GANs (slcGAN) and its uGAN / cGAN baselines."""
