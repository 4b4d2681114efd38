package guard

import (
	"regexp"
	"strings"
	"testing"
)

// goja names a native made from a Go func after the Go function
// ("github.com/isobox/isobox/engine/guard.(*guards).makeCtorWrapper.func1"),
// and a stack trace shows that name to the script. Every such native in
// the module is given a JS name (or the empty one) where it is made, or is
// marked as never reaching a script.
func TestNativesHaveJSNames(t *testing.T) {
	re := regexp.MustCompile(`ToValue\(func\(|\.Set\("[^"]+", func\(`)
	named := regexp.MustCompile(`"name"|unname\(|setName|namedNative|\bnamed\(`)
	n := 0
	walkModuleGo(t, func(p string, lines []string) {
		for i, line := range lines {
			if !re.MatchString(line) || strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			n++
			if strings.HasSuffix(line, "// never reaches a script") {
				continue
			}
			found := false
			for j := i; j < len(lines) && j < i+25 && !found; j++ {
				found = named.MatchString(lines[j])
			}
			if !found {
				t.Errorf("%s:%d: %s: a native with Go's name", p, i+1, strings.TrimSpace(line))
			}
		}
	})
	if n < 8 {
		t.Errorf("found only %d natives: is the walk looking at the module?", n)
	}
}
