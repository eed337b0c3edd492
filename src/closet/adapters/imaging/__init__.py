"""Image handling with Pillow: decoding, normalising, cutting garments out of photos."""
