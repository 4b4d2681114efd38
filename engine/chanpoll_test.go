package engine

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// socketPair returns the two non-blocking ends of a unix stream socket,
// as a worker channel has them.
func socketPair(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Skipf("socketpair: %v", err)
	}
	return os.NewFile(uintptr(fds[0]), "a"), os.NewFile(uintptr(fds[1]), "b")
}

// TestPollReaderReads checks that a polling reader returns every byte in
// order, whether the data comes within its window (read while polling) or
// after it (read after waiting in the netpoller), then io.EOF when the peer
// closes, and leaves the process's polling slot free.
func TestPollReaderReads(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, window := range []time.Duration{time.Millisecond, 20 * time.Microsecond} {
		t.Run(window.String(), func(t *testing.T) {
			a, b := socketPair(t)
			defer a.Close()
			var wrote atomic.Int64
			r := newPollReader(a, window, &wrote)
			if _, ok := r.(*pollReader); !ok {
				t.Fatalf("newPollReader(%v) = %T, want a *pollReader", window, r)
			}
			var want bytes.Buffer
			go func() {
				for i := 0; i < 200; i++ {
					chunk := []byte(strconv.Itoa(i) + ",")
					if i%50 == 49 {
						time.Sleep(3 * time.Millisecond) // past the window: the reader parks
					}
					_, _ = b.Write(chunk)
				}
				b.Close()
			}()
			for i := 0; i < 200; i++ {
				want.WriteString(strconv.Itoa(i) + ",")
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("ReadAll: %v", err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("read %q, want %q", got, want.Bytes())
			}
			if n := pollers.Load(); n != 0 {
				t.Fatalf("%d readers still hold the polling slot", n)
			}
		})
	}
}

// TestPollReaderClose checks that closing the reader's own file ends a
// Read that waits (no hang, an error, the slot free).
func TestPollReaderClose(t *testing.T) {
	a, b := socketPair(t)
	defer b.Close()
	var wrote atomic.Int64
	wrote.Store(monoNow()) // just wrote: the read starts by polling
	r := newPollReader(a, time.Millisecond, &wrote)
	done := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 16))
		done <- err
	}()
	time.Sleep(5 * time.Millisecond)
	a.Close()
	select {
	case err := <-done:
		if err == nil || errors.Is(err, io.EOF) {
			t.Fatalf("Read after Close = %v, want a closed-file error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read did not end after Close")
	}
	if n := pollers.Load(); n != 0 {
		t.Fatalf("%d readers still hold the polling slot", n)
	}
}

// TestPollReaderOff checks that a zero window reads the file directly.
func TestPollReaderOff(t *testing.T) {
	a, b := socketPair(t)
	defer a.Close()
	defer b.Close()
	if r := newPollReader(a, 0, new(atomic.Int64)); r != io.Reader(a) {
		t.Fatalf("newPollReader(0) = %T, want the file itself", r)
	}
}

// TestPollReaderBackoff checks the backoff: a reader whose polls ended
// empty polls only every 2nd, 4th ... 64th wait, and one poll at a time per
// process.
func TestPollReaderBackoff(t *testing.T) {
	now := monoNow()
	wrote := new(atomic.Int64)
	wrote.Store(now)
	cases := []struct {
		misses int
		parks  uint
		want   bool
	}{
		{0, 1, true}, {2, 1, true},
		{3, 1, false}, {3, 2, true},
		{4, 2, false}, {4, 4, true},
		{8, 32, false}, {8, 64, true}, {8, 128, true},
	}
	for _, c := range cases {
		r := &pollReader{window: time.Hour, wrote: wrote, last: now, misses: c.misses, parks: c.parks}
		got := r.mayPoll()
		if got {
			pollers.Add(-1)
		}
		if got != c.want {
			t.Errorf("misses %d parks %d: mayPoll = %v, want %v", c.misses, c.parks, got, c.want)
		}
	}
	idle := &pollReader{window: time.Microsecond, wrote: new(atomic.Int64), last: now - int64(time.Second)}
	if idle.mayPoll() {
		pollers.Add(-1)
		t.Error("a reader idle past its window polls")
	}
	r1 := &pollReader{window: time.Hour, wrote: wrote, last: now}
	r2 := &pollReader{window: time.Hour, wrote: wrote, last: now}
	if !r1.mayPoll() {
		t.Fatal("the first reader may not poll")
	}
	if r2.mayPoll() {
		pollers.Add(-1)
		t.Error("two readers of one process poll at once")
	}
	pollers.Add(-1)
}

// TestWorkerPollSetting checks the window a worker reads from its
// environment, and the host option's clamp.
func TestWorkerPollSetting(t *testing.T) {
	for _, c := range []struct {
		env  string
		want time.Duration
	}{
		{"", DefaultChannelPoll}, {"junk", DefaultChannelPoll}, {"0", 0}, {"-5", 0},
		{"20000", 20 * time.Microsecond}, {"99999999999", maxChannelPoll},
	} {
		t.Setenv(workerPollEnv, c.env)
		if got := workerPoll(); got != c.want {
			t.Errorf("%s=%q: workerPoll() = %v, want %v", workerPollEnv, c.env, got, c.want)
		}
	}
	for _, c := range []struct{ set, want time.Duration }{
		{-1, 0}, {0, 0}, {time.Microsecond, time.Microsecond}, {time.Hour, maxChannelPoll},
	} {
		h := NewHost(WithChannelPoll(c.set))
		if got := h.channelPoll(); got != c.want {
			t.Errorf("WithChannelPoll(%v): %v, want %v", c.set, got, c.want)
		}
	}
	if got := NewHost().channelPoll(); got != DefaultChannelPoll {
		t.Errorf("default window %v, want %v", got, DefaultChannelPoll)
	}
}
