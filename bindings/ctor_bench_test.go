package bindings_test

import (
	"testing"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// BenchmarkSpawnConstructClasses is BenchmarkSpawnWithBindings for
// scripts that build and construct classes: what a class costs on first
// use and per construction (BenchmarkSpawnWithBindings: what classes cost
// an isolate that never touches them).
func BenchmarkSpawnConstructClasses(b *testing.B) {
	for _, bc := range []struct{ name, src string }{
		{"one", "new Event('x')"},
		{"four", "new Event('x'); new URL('http://a'); new TextEncoder(); new AbortController()"},
		{"one-x100", "for (let i = 0; i < 100; i++) new Event('x')"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := engine.NewHost(engine.WithSetup(bindings.Setup(bindings.Config{})))
			src := engine.ScriptSource("classes.js", bc.src)
			for i := 0; i < b.N; i++ {
				iso, err := h.Spawn(src)
				if err != nil {
					b.Fatal(err)
				}
				<-iso.Done()
			}
		})
	}
}
