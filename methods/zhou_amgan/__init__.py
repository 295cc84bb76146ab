"""zhou (AM-GAN, Zhou et al. 2018): GAN, GAN*, AC-GAN*, AC-GAN*+, AC-GAN, LabelGAN, AM-GAN."""
