package engine

import "github.com/isobox/isobox/engine/guard"

// ErrTooDeep reports a source that nests deeper than the parser can take
// safely: Spawn (through a *ScriptError's cause) and the bindings' REPL
// return errors wrapping it. It is guard.ErrTooDeep, kept under this name
// so that embedders testing errors.Is(err, engine.ErrTooDeep) keep working;
// new code may use either. Read-only: any goroutine.
var ErrTooDeep = guard.ErrTooDeep

// ErrTooLarge reports a source with more tokens than the parser may take
// in one go (guard.DefaultMaxSourceTokens): goja builds the whole AST in
// Go, where no limit can stop it. Spawn's errors and the REPL's wrap it as
// they wrap ErrTooDeep. It is guard.ErrTooLarge. Read-only: any goroutine.
var ErrTooLarge = guard.ErrTooLarge

// guardConfig turns an isolate's limits into the caps of its guards:
// MemoryMb, when set and smaller than guard.DefaultMaxAllocBytes, lowers
// the single-allocation cap to itself; MaxStackDepth bounds native
// recursion. Zero fields leave the guard package's defaults.
func guardConfig(lim Limits) guard.Config {
	cfg := guard.Config{MaxDepth: lim.MaxStackDepth}
	if lim.MemoryMb > 0 && lim.MemoryMb < guard.DefaultMaxAllocBytes>>20 {
		cfg.MaxAllocBytes = lim.MemoryMb << 20
	}
	return cfg
}
