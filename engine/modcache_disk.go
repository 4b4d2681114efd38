package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"

	"github.com/isobox/isobox/engine/module"
)

// The on-disk module cache (WithModuleCache): a built graph's bundle text
// and what it was built from, one JSON file per build key, so that a new
// process (the next `isobox main.ts`) compiles a graph without bundling
// it again. An entry is used only when every file it was built from still
// has the same SHA-256 and is readable by the spawning isolate, exactly as
// the in-memory cache checks; anything unreadable, malformed or stale is
// ignored (and rebuilt over). The cache holds code that runs in isolates:
// keep its directory as private as the sources.

// WithModuleCache keeps built module graphs in dir too (created if
// missing, mode 0700), besides the host's in-memory cache. "" (the
// default) keeps none. Any goroutine may call it; it applies when NewHost
// runs.
func WithModuleCache(dir string) HostOption { return func(h *Host) { h.mods.dir = dir } }

// diskEntry is one cached build.
type diskEntry struct {
	Version  string            `json:"version"`
	Module   bool              `json:"module"`
	Code     string            `json:"code"`
	Inputs   []diskInput       `json:"inputs"`
	Files    map[string]string `json:"files"`
	Registry []string          `json:"registry"`
}

type diskInput struct {
	Path string `json:"path"`
	Sum  string `json:"sum"` // hex SHA-256
}

// cacheVersion names the builder: an entry written by another isobox or
// esbuild build is not read (the bundle format may differ).
var cacheVersion = func() string {
	v := "isobox-modcache-2"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/evanw/esbuild" || d.Path == "github.com/dop251/goja" {
				v += " " + d.Path + "@" + d.Version
			}
		}
	}
	return v
}()

// diskName is the file a build key is kept in.
func (k modKey) diskName() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%q\x00%q\x00%q\x00%q\x00%v\x00%x", cacheVersion, k.path, k.spec, k.dir, k.display, k.force, k.reg)
	return hex.EncodeToString(h.Sum(nil)) + ".json"
}

// loadDisk returns the cached build of key when it is fresh, or nil. Any
// goroutine.
func (c *modCache) loadDisk(key modKey, canRead func(string) bool) *module.Result {
	if c.dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(c.dir, key.diskName()))
	if err != nil || len(b) > 2*module.MaxFileBytes {
		return nil
	}
	var e diskEntry
	if json.Unmarshal(b, &e) != nil || e.Version != cacheVersion || len(e.Inputs) == 0 {
		return nil
	}
	res := &module.Result{Module: e.Module, Code: e.Code, Files: e.Files, Registry: e.Registry}
	for _, in := range e.Inputs {
		sum, err := hex.DecodeString(in.Sum)
		if err != nil || len(sum) != sha256.Size || !filepath.IsAbs(in.Path) {
			return nil
		}
		var s [32]byte
		copy(s[:], sum)
		res.Inputs = append(res.Inputs, module.Input{Path: in.Path, Sum: s})
	}
	if !fresh(res.Inputs, canRead) {
		return nil
	}
	return res
}

// storeDisk writes a build for key, atomically (a reader sees the old file
// or the new one). Failures are ignored: the cache is an optimization.
// Any goroutine.
func (c *modCache) storeDisk(key modKey, res *module.Result) {
	if c.dir == "" || res.Reused != "" || len(res.Inputs) == 0 {
		return
	}
	e := diskEntry{Version: cacheVersion, Module: res.Module, Code: res.Code, Files: res.Files, Registry: res.Registry}
	for _, in := range res.Inputs {
		e.Inputs = append(e.Inputs, diskInput{Path: in.Path, Sum: hex.EncodeToString(in.Sum[:])})
	}
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr != nil || cerr != nil || os.Rename(f.Name(), filepath.Join(c.dir, key.diskName())) != nil {
		_ = os.Remove(f.Name())
	}
}

// registeredKeys lists a registry's paths, sorted (for its sum).
func registeredKeys(reg map[string]regEntry) []string {
	keys := make([]string, 0, len(reg))
	for k := range reg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
