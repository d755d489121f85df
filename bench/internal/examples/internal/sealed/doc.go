// Package sealed encrypts fixed-point tensors with AES-256-GCM for the
// confidential-inference example: the client seals each encoded input, the
// inference server opens it, computes, and seals the output for the client.
//
// Each message has its own nonce: a 4-byte stream tag (Inputs or Outputs)
// followed by the 8-byte big-endian index of the sample, so that one key
// never reuses a nonce as long as every (stream, index) pair is sealed
// once. The number of values is authenticated as additional data, and a
// ciphertext opened with the wrong key, stream or index, or altered in any
// way, fails with ErrAuth.
//
// A Box is safe for concurrent use.
package sealed
