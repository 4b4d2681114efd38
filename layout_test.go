package main

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/isobox/isobox"

// allowedImports is the project's layering: for each package, the isobox
// packages its non-test files may import. Imports run one way only.
var allowedImports = map[string][]string{
	".":                {"repl", "bindings", "engine"},
	"repl":             {"bindings", "engine"},
	"bindings":         {"bindings/inspect", "engine", "engine/guard", "internal/gojax"},
	"bindings/inspect": {},
	"engine":           {"engine/clone", "engine/guard", "engine/module", "internal/confine"},
	"engine/clone":     {"internal/gojax"},
	"engine/guard":     {"internal/gojax"},
	"engine/module":    {},
	"internal/gojax":   {},
	"internal/confine": {},
	"bench":            {"bindings", "engine"},
	"bench/compare":    {"bench"},
}

// TestImportLayering checks the import rules of the layout (README, "The
// code is in three layers") and that only internal/gojax (goja's layout)
// and internal/confine (the seccomp system call) import unsafe.
func TestImportLayering(t *testing.T) {
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel := filepath.ToSlash(path)
		seen[rel] = true
		allowed, known := allowedImports[rel]
		if !known {
			t.Errorf("package %s is not in allowedImports: add it with its allowed imports", rel)
			return nil
		}
		for _, imp := range pkg.Imports {
			if imp == "unsafe" && rel != "internal/gojax" && rel != "internal/confine" {
				t.Errorf("%s imports unsafe; reads of goja internals belong in internal/gojax (and the seccomp call in internal/confine)", rel)
			}
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			if dep := strings.TrimPrefix(imp, module+"/"); !slices.Contains(allowed, dep) {
				t.Errorf("%s imports %s; allowed: %v", rel, dep, allowed)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range allowedImports {
		if !seen[pkg] {
			t.Errorf("allowedImports lists %s, which does not exist", pkg)
		}
	}
}
