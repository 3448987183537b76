"""Likelihoods of the public COHERENT data releases, built as the collaboration did."""
