// Package fixedpoint evaluates a compiled MLP in integer fixed-point
// arithmetic, the way an encrypted-inference compiler prepares a network
// for a scheme such as CKKS: real values are encoded as integers with a
// scale of 2^Frac, every product is rescaled (rounded and shifted back by
// Frac bits), and the ReLU activations are replaced by a polynomial, or
// kept exact for reference.
//
// Fold folds the activation input ranges into the weights: layer l's
// pre-activations are divided by their range, so that the polynomial only
// ever sees inputs in [-1, 1], and the next layer's weights multiply the
// range back. Since ReLU(r·t) = r·ReLU(t) for r > 0 this costs no extra
// multiplication, and with exact ReLU the folded network computes the same
// function as the original.
//
// Arithmetic overflow is detected, never wrapped silently: a layer whose
// worst-case sum could exceed the int64 range, or a product that does,
// returns ErrOverflow. A compiled Network is read-only and safe for
// concurrent use.
package fixedpoint
