package bindings_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/isobox/isobox/bindings"
	"github.com/isobox/isobox/engine"
)

// The spawn benchmarks start isolates from a file and wait for the first
// message each sends: a classic script, and the same work as a TypeScript
// module that imports a helper module. ns/op is one spawn; "builds" is how
// many module graphs were bundled and compiled over the whole run.

var benchFiles = map[string]string{
	"classic.js": `function main(p) { p.send(1 + 1) }`,
	"module.ts":  `import { two } from "./two.ts"; export function main(p: SendPort): void { p.send(two()) }`,
	"two.ts":     `export const two = (): number => 1 + 1;`,
	"cold.mjs":   `import { two } from "./two.ts"; export function main(p) { p.send(two()) }`,
}

func benchSpawnFile(b *testing.B, file string, freshHost bool) {
	dir := b.TempDir()
	for name, text := range benchFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	newHost := func() *engine.Host {
		return engine.NewHost(engine.WithSetup(bindings.Setup(bindings.Config{})))
	}
	host := newHost()
	var builds int64
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if freshHost && i > 0 {
			builds += host.ModuleBuilds()
			_ = host.Shutdown(ctx)
			host = newHost()
		}
		port := host.NewPort("bench")
		m, _ := engine.MessageFromGo(port.SendPort())
		src, err := engine.FileSource(filepath.Join(dir, file))
		if err != nil {
			b.Fatal(err)
		}
		iso, err := host.Spawn(src, engine.WithEntry("main"), engine.WithMessage(m),
			engine.WithCapabilities(engine.Capabilities{ReadRoots: []string{dir}}))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := port.RecvValue(ctx); err != nil {
			b.Fatal(err)
		}
		port.Close()
		_ = iso.Wait(ctx)
	}
	b.StopTimer()
	builds += host.ModuleBuilds()
	b.ReportMetric(float64(builds), "builds")
	_ = host.Shutdown(ctx)
}

// BenchmarkSpawnFileClassic: a classic script (compiled once, cached).
func BenchmarkSpawnFileClassic(b *testing.B) { benchSpawnFile(b, "classic.js", false) }

// BenchmarkSpawnFileModule: a TypeScript module graph of two files, built
// once and served from the host's cache (each spawn re-hashes its files).
func BenchmarkSpawnFileModule(b *testing.B) { benchSpawnFile(b, "module.ts", false) }

// BenchmarkSpawnFileModuleCold: the same graph built every time (a new
// host per spawn): esbuild's bundle plus goja's compile.
func BenchmarkSpawnFileModuleCold(b *testing.B) { benchSpawnFile(b, "cold.mjs", true) }
