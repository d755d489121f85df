// Package polyapprox fits polynomials to functions by least squares, the
// way homomorphic-encryption compilers replace a non-polynomial activation
// such as ReLU: a scheme like CKKS can only add and multiply, so every
// activation must become a polynomial over the range its inputs take.
//
// Polynomials are Chebyshev series on [-1, 1], p(t) = Σ c[k]·T_k(t), which
// keeps the fit well conditioned and the coefficients small even at high
// degree; the caller maps its input range onto [-1, 1]. Everything here is
// a pure function, safe for concurrent use.
package polyapprox
