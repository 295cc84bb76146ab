"""liu2d: the Triple-GAN-style 2-D ring experiment of liu (MED-GAN) Table 1 / Figure 3."""
