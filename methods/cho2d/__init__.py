"""cho (VCAGAN) section 4.1: GAN, InfoGAN, Elastic-InfoGAN and VCAGAN on 4 Gaussians."""
