package bindings_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// syncBuffer is a bytes.Buffer safe for the many isolate goroutines that
// write to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// result is what one script run produced.
type result struct {
	stdout, stderr string
	err            error
	exitCode       int
	exited         bool
}

// runJS runs src as a main isolate (with stdin, exit and args) and waits for
// it, then shuts the host down and checks that no goroutine is left.
func runJS(t *testing.T, src string, opts ...engine.HostOption) result {
	t.Helper()
	return runJSWith(t, src, "", opts...)
}

func runJSWith(t *testing.T, src, stdin string, opts ...engine.HostOption) result {
	t.Helper()
	return runJSCaps(t, src, stdin, nil, opts...)
}

// runJSFuncs is runJS with the main isolate granted the host functions
// funcs (registered by opts).
func runJSFuncs(t *testing.T, src string, funcs []string, opts ...engine.HostOption) result {
	t.Helper()
	return runJSCaps(t, src, "", funcs, opts...)
}

func runJSCaps(t *testing.T, src, stdin string, funcs []string, opts ...engine.HostOption) result {
	t.Helper()
	var out, errb syncBuffer
	var res result
	var mu sync.Mutex
	cfg := bindings.Config{
		Stdin: strings.NewReader(stdin),
		Exit: func(code int) {
			mu.Lock()
			res.exitCode, res.exited = code, true
			mu.Unlock()
		},
	}
	opts = append([]engine.HostOption{
		engine.WithStdout(&out), engine.WithStderr(&errb), engine.WithSetup(bindings.Setup(cfg)),
	}, opts...)
	host := engine.NewHost(opts...)
	iso, err := host.Spawn(engine.ScriptSource("test.js", src), engine.WithName("main"),
		engine.WithCapabilities(engine.Capabilities{Stdin: true, Exit: true, Args: []string{"a", "b"}, Funcs: funcs}))
	if err != nil {
		t.Fatalf("spawn: %v", err)
	}
	werr := waitScript(t, host, iso, 20*time.Second, &out, &errb)
	mu.Lock()
	defer mu.Unlock()
	res.stdout, res.stderr, res.err = out.String(), errb.String(), werr
	return res
}

func setupForTest() engine.SetupFunc { return bindings.Setup(bindings.Config{}) }

// waitScript waits for the main isolate (bound is a hang bound, not a
// timing check), shuts the host down and checks that no goroutine leaked.
// It returns what Wait returned.
func waitScript(t *testing.T, host *engine.Host, iso *engine.Isolate, bound time.Duration, out, errb *syncBuffer) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	werr := iso.Wait(ctx)
	if werr == context.DeadlineExceeded {
		t.Errorf("script did not finish; stdout so far:\n%s\nstderr:\n%s", out.String(), errb.String())
	}
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := host.Shutdown(sctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	goleak.VerifyNone(t, ignoreRegexpClock)
	return werr
}

// ignoreRegexpClock lets goleak pass regexp2's match-timeout clock, a
// process-wide goroutine that runs for a second past the deadline of the
// last match (guard.MaxRegexpMatch).
var ignoreRegexpClock = goleak.IgnoreAnyFunction("github.com/dlclark/regexp2/v2.runClock")
