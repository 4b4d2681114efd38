//go:build !race

package engine

// raceBuild is true in race-detector builds (see race_on.go).
const raceBuild = false
