//go:build !(linux && amd64)

package confine

// Apply does nothing here: the filter is written for linux/amd64.
func Apply() error { return nil }

// Supported reports whether Apply can work on this platform.
const Supported = false
