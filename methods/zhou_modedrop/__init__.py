"""zhou (AM-GAN) section 6.3, Figure 5: Inception Score's KL term under mode dropping."""
