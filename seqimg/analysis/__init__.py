"""Analyses of folded images and models: the receptive field."""
