// Package golden is an empty stand-in for the contrib test helper of the
// same import path; see go.mod.
package golden
