"""Statistics: binned Poisson likelihoods on iminuit cost functions, fits, scans, toys."""
