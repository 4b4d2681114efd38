//go:build race

package engine

// raceBuild is true in race-detector builds, whose runtime (TSAN) needs
// system calls the workers' seccomp filter denies and maps its shadow
// memory lazily, past any RLIMIT_DATA: such workers are not confined.
const raceBuild = true
