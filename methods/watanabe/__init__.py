"""watanabe_selflabel: unified self-labeling / self-attention GAN training (Watanabe & Favaro)."""
