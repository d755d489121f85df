// Package encoding is an empty stand-in for the contrib module of that
// name, which the module proxy does not serve at v0.155.0; see go.mod.
package encoding
