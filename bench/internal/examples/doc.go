// Package examples holds the example benchmarks that `benchtrace run`
// runs, each a real computation instrumented with the benchtrace SDK: a run
// is a trace and every phase a measured span.
//
//   - mlp_polyrelu_synthetic: approximate (confidential) inference, with the
//     phases of the Orion FHE benchmarks. A small MLP is trained in float64,
//     compiled for encrypted inference (ReLU replaced by a least-squares
//     polynomial, fixed-point encoding with a scale of 2^20), its inputs
//     are encrypted with AES-256-GCM, and the inference server decrypts,
//     evaluates the network in fixed point and encrypts the logits. The
//     run records the MAE and precision bits of the decoded logits against
//     the float64 ones.
//   - kmeans_embeddings: a Feluda-style operator, k-means++ clustering of
//     synthetic embeddings with a known cluster structure, scored by purity
//     and the adjusted Rand index.
//   - int8_gemm_quantized: a matrix product with both operands quantized
//     to int8 with per-row scales and int32 accumulation, against float64.
//
// All returns them in a stable order. Every benchmark is deterministic
// given its seed (42), except for the AES key, which is fresh from
// crypto/rand and changes no result. At Default size each finishes in a
// few seconds on two cores; Small is for tests and quick checks. A run's
// model (Benchmark.Model, Benchmark.Options) describes the size that ran:
// model.dataset carries the data set's real size ("(train 2000, test
// 500)", "(n=2000, 8 clusters)", "128x128x256"), and the architecture and
// batch size are the ones used, so a small run is never logged as a
// full-size one. The benchmark name is the same at both sizes.
//
// A Benchmark is a value with no state of its own: several may run at once,
// each with its own sdk.Run.
package examples
