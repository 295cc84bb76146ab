"""VCAGAN on images (cho section 4.2)."""
