"""MED-GAN (liu et al.) on images: mask-embedded discriminator, region regularisers."""
