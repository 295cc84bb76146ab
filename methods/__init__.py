"""GAN trainers, one module per method family, reached through methods.registry."""
