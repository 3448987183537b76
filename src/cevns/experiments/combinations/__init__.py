"""Combination documents shipped with cevns (see :mod:`cevns.experiments.combination`)."""
