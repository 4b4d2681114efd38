/*
Package engine is the isobox runtime: isolates, ports, message cloning,
timers, kill/exit/error/pause, limits, and the Go embedding API. It knows
nothing of the REPL or the CLI, and nothing of the JS classes scripts see:
those come from package bindings through the WithSetup hook.

# Packages

The runtime is split by concern, and imports run one way: main -> repl ->
bindings -> engine -> engine/clone, engine/guard and engine/module; bindings also uses
bindings/inspect, and engine/clone uses internal/gojax.

Package engine (this one) has the Host, the Isolate (one goja.Runtime, its
goroutine and its event loop), ports and mailboxes, timers,
kill/pause/listeners, limits and the memory monitor, errors, and the
embedding API.

Package engine/clone is the structured-clone codec. A JS value becomes a
VM-neutral Message and back; a Go value becomes one and back. It knows
nothing of isolates: a port in a message is an opaque reference that engine
turns into a *SendPort. Message, MessageFromGo and CloneError keep their
names here, so embedders need not import it.

Package engine/module turns ES modules, TypeScript and JSX into one
script with esbuild; it knows nothing of isolates or runtimes.

Package engine/guard has the sandbox guards installed on every runtime:
allocation caps, native-recursion and nesting checks, the replace guard and
the source-nesting scanner. It takes plain numbers, not Limits.

Package internal/gojax is the one place that reads goja's unexported layout
(for the codec's fast paths). It is verified once at start; on a mismatch
its accessors report "not available" and the codec uses goja's public API.

# Isolates

An Isolate is one goja.Runtime owned by one goroutine with its own event
loop. Isolates share nothing. A Host creates them:

	host := engine.NewHost(
		engine.WithStdout(os.Stdout),
		engine.WithSetup(bindings.Setup(bindings.Config{})),
	)
	defer host.Shutdown(ctx)
	iso, err := host.Spawn(engine.ScriptSource("main.js", code), engine.WithName("main"))
	err = iso.Wait(ctx) // nil, ErrKilled, or a *ScriptError

# The event loop

Each loop has a macrotask queue (messages, timers, host callbacks posted with
Isolate.Post) and a control queue that overtakes it (kill, pause, resume,
ping, listener changes), as protoactor's system mailbox does. Promise jobs
run after every task. An uncaught error or an unhandled rejection is an
isolate error: error listeners get {name, message, stack}, and the isolate
dies if errors are fatal (the default).

An isolate stays alive while it has an open keep-alive ReceivePort, a
pending timer, or a pending host operation (Isolate.Hold). When none is
left it exits by itself, as in Dart. Children never keep a parent alive.

# Goroutine rules

A goja.Runtime is touched only by its own goroutine. Methods documented as
"loop only" (Runtime, NewReceivePort, AddTimer, Send, Clone, Value, ...)
are for the bindings while the isolate runs JS. Methods documented as "any
goroutine" (Kill, Pause, Resume, Ping, Post, Hold, Stats, Wait, ...) may be
called from anywhere. The one exception inside goja is Runtime.Interrupt,
which Kill(Immediate) and the limit watchdog use.

# Code run on an isolate's VM

Some guards are installed only when a program that may need them is about
to run (RegExp's for a regular-expression literal, the async and
generator Function constructors', Promise.prototype's: engine/guard's
families.go). The engine prepares every program it runs. Code that runs
a program on Runtime() itself calls Prepare first (Prepare(nil) for one
compiled anywhere but guard.Compile, vm.RunString included), and makes
the promises it hands a script with NewPromise (or calls EnsurePromise
before vm.NewPromise and before it runs its own async functions).

# Messages

A message is copied out of the sender at send time by the structured clone
algorithm into a VM-neutral *Message, then materialized in the receiver.
ArrayBuffers in a transfer list move without copying. As in Dart, a
message may carry SendPorts, Capabilities and Isolate handles: they arrive
as the same *SendPort, *Capability and *Isolate (an Isolate handle keeps
its control rights; a pause made with a received Capability is undone with
the original), made into JS objects by the bindings' SetHostWrappers. Go
code builds messages with MessageFromGo and reads them with Message.ToGo;
a Go-side Port (Host.NewPort) receives messages from isolates.

# Kill and exit

Kill(BeforeNextEvent) lets the current event finish; Kill(Immediate)
interrupts running JS, even a busy loop. Either way queued messages are
dropped, timers cancelled, ports closed and exit listeners notified. Kill
is idempotent and safe from any goroutine.

# Limits and memory

Limits (WithLimits, WithDefaultLimits) bound each isolate: stack depth,
task and CPU time, attributed heap (MemoryMb), queue, message size and
timers. A breach stops the isolate with a *LimitError naming the limit.
MaxTaskMs and CPUMs count the CPU time of the isolate's own OS thread
(each such task runs locked to it), not the time it waited for a core;
MaxTaskWallMs bounds wall time. WithMaxRunning caps how many isolates run
a task at once (FIFO); by default runnable isolates share the cores as Go
shares goroutines.

Output goes through one ordered queue per host stream: every write stays
whole and in order, and while the writer is slow an isolate's writes queue
up to WithOutputBuffer bytes before it waits, so a flood slows only the
isolate that makes it.

Spawn refuses limits the process cannot survive (Limits.Validate,
ErrBadLimits): a MaxStackDepth over MaxStackDepthCeiling, whose recursion
through native callbacks would overflow Go's stack, or times and sizes
that overflow their conversions.

Independently of MemoryMb, every host has a memory ceiling
(WithMemoryLimit; by default a quarter of the memory available to the
process, from the cgroup v2 limit or the physical RAM). When the Go heap
goes over it, the isolate of that host holding the largest share of the
heap is stopped with a *LimitError whose Limit is "hostMemoryMb", one at a
time, so an isolate with no MemoryMb cannot end the process with Go's
unrecoverable "out of memory". The heap is the process's: the embedder's
memory and other hosts count too. A negative WithMemoryLimit disables it.

# Modules

A Source of kind SourceModule (ModuleSource; FileSource gives one for
.mjs, .mts, .ts, .tsx and .jsx, and Spawn turns a .js script that only
parses as a module into one) is bundled with its whole import graph by
package engine/module (esbuild) into one async function, compiled through
the same guards as every source, and cached per host by entry and the
SHA-256 of every file it read (Host.ModuleBuilds counts the builds). Each
isolate runs it into its own module instances; its completion, top-level
await included, keeps the isolate alive, and a rejection is the isolate's
uncaught error. Files are read only inside the isolate's read roots (and
their ancestors' node_modules). import.meta and import() find the calling
module from its source-mapped position; import() works in every source (a
classic script, eval code, a Function body: the guards route each call to
the isolate's loader), and every file an isolate's graphs reach through
static imports is one instance, which a later import() or graph reuses.
WithModuleCache keeps built graphs on disk too. Isolate.ImportFile
runs a module in a live isolate (the REPL's .load); Isolate.ReadModule
makes a SourceModule of any file under the read check (new Worker(url,
{type: "module"})).

# Garbage collector

goja boxes numbers, so CPU-bound scripts allocate at a high rate and, at
Go's default GOGC of 100, isolates running in parallel spend much of their
time in the collector. The engine does not change process-wide settings
by itself; TuneGC(ceilingMb) applies the policy the CLI uses: GOGC
DefaultGCPercent (400) with a soft memory limit (debug.SetMemoryLimit) of
nine tenths of the host ceiling, so the collector works harder before the
heap reaches the ceiling rather than the ceiling stopping an isolate over
garbage. GOGC or GOMEMLIMIT in the environment win. An embedder calls it
once at start with the same value it gives WithMemoryLimit, or sets its
own policy; BENCHMARKS.md has the CPU-scaling figures with and without.

# Errors

Errors are values: ErrKilled, ErrHostClosed, ErrPermission, ErrNoResult
and friends work with errors.Is; *ScriptError, *LimitError, *CloneError and
*PanicError with errors.As. No public function panics, and a Go panic under
a VM entry becomes an isolate error, never a process crash: scripts see an
"InternalError" with a one-line message and a JS stack, and the Go stack
goes to the host's debug log (WithDebugLog). What a script threw reaches
Isolate.run and error listeners as a copy (ScriptError.Value).
*/
package engine
