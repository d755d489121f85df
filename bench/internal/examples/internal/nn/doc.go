// Package nn is a small multilayer perceptron in float64: dense layers with
// ReLU between them, trained with mini-batch Adam on the softmax
// cross-entropy loss. It is the cleartext model of the approximate
// inference example, so it favours plain, checkable code over speed.
//
// An MLP is safe for concurrent inference (Logits, PreActivations) but not
// while it is training.
package nn
