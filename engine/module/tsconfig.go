package module

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// tsconfig.json, read through the read rules.
//
// Left to itself esbuild reads the tsconfig.json (or jsconfig.json) of
// every directory it visits and follows its "extends", wherever that
// points: a planted tsconfig.json could make it read, and echo in an error
// or a JSX setting, part of a file outside the read roots. So the builder
// finds the configuration itself, from the entry's directory up, reading
// only files Options.CanRead allows, follows relative and absolute
// "extends" the same way (up to maxExtends deep), and hands esbuild the
// merged result as TsconfigRaw, which stops esbuild from looking for one.
// A package name in "extends" is not followed. One configuration applies
// to the whole graph: the one nearest the entry.

// maxExtends bounds a chain of "extends".
const maxExtends = 8

// tsconfigFor returns the TsconfigRaw for a graph whose entry is in dir:
// "{}" when no readable configuration applies.
func (b *builder) tsconfigFor(dir string) string {
	for d := dir; ; {
		for _, name := range []string{"tsconfig.json", "jsconfig.json"} {
			p := filepath.Join(d, name)
			if b.opts.CanRead == nil || !b.opts.CanRead(p) {
				continue
			}
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			cfg := b.readTSConfig(p, 0)
			if cfg == nil {
				return "{}"
			}
			out, err := json.Marshal(cfg)
			if err != nil {
				return "{}"
			}
			return string(out)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "{}"
		}
		d = parent
	}
}

// readTSConfig reads one configuration and what it extends, merged
// (compilerOptions key by key, the file's own winning), without
// "extends". Nil when it cannot be read or parsed.
func (b *builder) readTSConfig(path string, depth int) map[string]any {
	if depth > maxExtends || b.opts.CanRead == nil || !b.opts.CanRead(path) {
		return nil
	}
	text, err := readFile(path)
	if err != nil {
		return nil
	}
	var cfg map[string]any
	if json.Unmarshal([]byte(stripJSONC(text)), &cfg) != nil {
		return nil
	}
	ext, _ := cfg["extends"].(string)
	delete(cfg, "extends")
	if ext == "" || !(strings.HasPrefix(ext, ".") || filepath.IsAbs(ext)) {
		return cfg
	}
	base := ext
	if !filepath.IsAbs(base) {
		base = filepath.Join(filepath.Dir(path), base)
	}
	if !strings.HasSuffix(base, ".json") {
		base += ".json"
	}
	parent := b.readTSConfig(filepath.Clean(base), depth+1)
	if parent == nil {
		return cfg
	}
	for k, v := range cfg {
		if k == "compilerOptions" {
			po, _ := parent[k].(map[string]any)
			co, _ := v.(map[string]any)
			if po != nil && co != nil {
				for ck, cv := range co {
					po[ck] = cv
				}
				continue
			}
		}
		parent[k] = v
	}
	return parent
}

// stripJSONC removes the comments and trailing commas tsconfig.json
// allows, outside strings.
func stripJSONC(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	inStr := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr:
			sb.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				i++
				sb.WriteByte(s[i])
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
			sb.WriteByte(c)
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			sb.WriteByte('\n')
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return sb.String()
			}
			i += j + 3
			sb.WriteByte(' ')
		case c == ',':
			// A comma before } or ] (after white space) is dropped.
			j := i + 1
			for j < len(s) && strings.IndexByte(" \t\r\n", s[j]) >= 0 {
				j++
			}
			if j < len(s) && (s[j] == '}' || s[j] == ']') {
				continue
			}
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}
