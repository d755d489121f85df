// Package quant quantizes matrices to int8 with one scale per row and
// multiplies them with int32 accumulation, as int8 inference kernels do:
// symmetric quantization q = round(x/s) with s = max|row|/127, and
// C[i][j] = sA[i]·sB[j]·Σ_k qA[i][k]·qB[j][k].
//
// Matrices are row-major. The functions are pure and safe for concurrent
// use; MatMulT splits its work over the rows it is given, so callers may
// run it on disjoint row ranges in parallel.
package quant
