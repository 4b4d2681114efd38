package engine

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// gateWriter collects writes; a write starting with block waits until gate
// is closed, as a pipe nobody reads does.
type gateWriter struct {
	block   string
	entered chan struct{} // closed when a blocking write has started
	gate    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	writes  []string
}

func newGateWriter(block string) *gateWriter {
	return &gateWriter{block: block, entered: make(chan struct{}), gate: make(chan struct{})}
}

func (g *gateWriter) Write(p []byte) (int, error) {
	if g.block != "" && bytes.HasPrefix(p, []byte(g.block)) {
		g.once.Do(func() { close(g.entered) })
		<-g.gate
	}
	g.mu.Lock()
	g.writes = append(g.writes, string(p))
	g.mu.Unlock()
	return len(p), nil
}

func (g *gateWriter) got() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.writes...)
}

func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { fn(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s is blocked", what)
	}
}

// A write blocked in the host's writer holds up neither another source's
// writes nor their order; a source over its bound waits (backpressure),
// and only it; everything reaches the writer whole and in call order.
func TestOutStreamBlockedWriterBlocksOnlyItself(t *testing.T) {
	g := newGateWriter("FLOOD")
	s := newOutStream(g, 8)
	flood, sib, other := s.source(nil), s.source(nil), s.source(nil)

	floodDone := make(chan struct{})
	go func() { flood.Write([]byte("FLOOD 16 MB")); close(floodDone) }()
	<-g.entered

	within(t, "a sibling's write behind a blocked one", func() {
		sib.Write([]byte("s1\n"))
		sib.Write([]byte("s2\n"))
	})
	sibOver := make(chan struct{})
	go func() { sib.Write([]byte("s3 long\n")); close(sibOver) }() // 6+8 > 8
	within(t, "a third source's write while the sibling waits for space", func() {
		other.Write([]byte("o1\n"))
	})
	select {
	case <-sibOver:
		t.Fatal("a write over the source's bound returned before its bytes were written")
	case <-floodDone:
		t.Fatal("the blocked write returned")
	case <-time.After(20 * time.Millisecond):
	}
	close(g.gate)
	within(t, "the writes after the reader came back", func() { <-floodDone; <-sibOver })
	within(t, "flush", func() {
		if err := sib.flush(context.Background()); err != nil {
			t.Error(err)
		}
		other.flush(context.Background())
	})
	// s3 is queued before o1 when its goroutine got there first; either
	// way each write is whole and each source keeps its order.
	got := strings.Join(g.got(), "|")
	if want := "FLOOD 16 MB|s1\n|s2\n|o1\n|s3 long\n"; got != want && got != "FLOOD 16 MB|s1\n|s2\n|s3 long\n|o1\n" {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A write waiting for queue space gives up when its isolate is stopped, so
// a kill is not held up by a reader that never reads; a flush gives up when
// its context is done.
func TestOutStreamStopReleasesWaiter(t *testing.T) {
	g := newGateWriter("FLOOD")
	defer close(g.gate)
	s := newOutStream(g, 0)
	go s.source(nil).Write([]byte("FLOOD"))
	<-g.entered
	stop := make(chan struct{})
	src := s.source(stop)
	done := make(chan struct{})
	go func() { src.Write([]byte("x\n")); close(done) }()
	close(stop)
	within(t, "a stopped waiter", func() { <-done })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := src.flush(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("flush with a done context: %v", err)
	}
}

// With the writer idle a write goes straight through: it has been written
// when Write returns, and the stream is idle again.
func TestOutStreamIdleWriteIsDirect(t *testing.T) {
	g := newGateWriter("")
	s := newOutStream(g, DefaultOutputBuffer)
	s.source(nil).Write([]byte("a\n"))
	if got := g.got(); len(got) != 1 || got[0] != "a\n" {
		t.Fatalf("got %q", got)
	}
	if s.busy || len(s.q) != 0 {
		t.Fatal("the stream is not idle after a direct write")
	}
}

// Two isolates of one host: one is stuck writing to a stdout nobody reads;
// the other still writes and runs to its last statement, and once the
// reader is back, its lines are there, whole, in order, before its Done.
func TestIsolateOutputFloodDoesNotStallSibling(t *testing.T) {
	g := newGateWriter("FLOOD")
	sibRan := make(chan struct{})
	h := NewHost(WithStdout(g), WithSetup(func(iso *Isolate) error {
		vm := iso.Runtime()
		if err := vm.Set("write", func(s string) { iso.Stdout().Write([]byte(s)) }); err != nil {
			return err
		}
		return vm.Set("ran", func() { close(sibRan) })
	}))
	defer h.Shutdown(context.Background())
	flood, err := h.Spawn(ScriptSource("flood.js", `write("FLOOD" + "x".repeat(1 << 20) + "\n")`))
	if err != nil {
		t.Fatal(err)
	}
	<-g.entered
	sib, err := h.Spawn(ScriptSource("sib.js", `for (let i = 0; i < 100; i++) write("line " + i + "\n"); ran()`))
	if err != nil {
		t.Fatal(err)
	}
	within(t, "the sibling", func() { <-sibRan })
	close(g.gate)
	within(t, "the sibling's end", func() { <-sib.Done() })
	got := g.got()
	var lines []string
	for _, w := range got {
		if strings.HasPrefix(w, "line ") {
			lines = append(lines, w)
		}
	}
	if len(lines) != 100 {
		t.Fatalf("the sibling's Done closed with %d of its 100 lines written", len(lines))
	}
	for i, l := range lines {
		if want := "line " + itoa(i) + "\n"; l != want {
			t.Fatalf("line %d is %q, want %q", i, l, want)
		}
	}
	within(t, "the flooder's end", func() { <-flood.Done() })
	if !strings.HasPrefix(got[0], "FLOOD") || len(got[0]) != 5+1<<20+1 {
		t.Fatalf("the flood was not written first and whole")
	}
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

// BenchmarkOutStreamWrite is the cost of one line written by 1 or 8
// sources at once to io.Discard: the direct path, and the queue when
// writes overlap.
func BenchmarkOutStreamWrite(b *testing.B) {
	line := []byte("a log line of about sixty bytes, as console.log writes it\n")
	for _, n := range []int{1, 8} {
		b.Run(itoa(n)+"-sources", func(b *testing.B) {
			s := newOutStream(discard{}, DefaultOutputBuffer)
			var wg sync.WaitGroup
			per := b.N/n + 1
			b.ResetTimer()
			for i := 0; i < n; i++ {
				src := s.source(nil)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := 0; j < per; j++ {
						src.Write(line)
					}
					src.flush(context.Background())
				}()
			}
			wg.Wait()
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
