package bindings

import "github.com/dop251/goja"

// installWeb defines the everyday Web globals (WHATWG Encoding, URL,
// HTML's atob/btoa, Web Crypto, HR-Time and User Timing), each built on
// first access through e.lazy, so that an isolate that never touches them
// pays one accessor per name and nothing else.
func (e *env) installWeb(g *goja.Object) {
	e.lazy(g, "TextEncoder", e.textEncoderClass)
	e.lazy(g, "TextDecoder", e.textDecoderClass)
	e.lazy(g, "atob", func() goja.Value { return e.native("atob", e.atob) })
	e.lazy(g, "btoa", func() goja.Value { return e.native("btoa", e.btoa) })
	e.lazy(g, "URL", e.urlClass)
	e.lazy(g, "URLSearchParams", e.urlSearchParamsClass)
	e.lazy(g, "performance", e.performanceObject)
	e.lazy(g, "Performance", e.performanceClass)
	for _, n := range [...]string{"PerformanceEntry", "PerformanceMark", "PerformanceMeasure"} {
		e.lazy(g, n, func() goja.Value {
			e.perfEntryClass()
			return e.ctorCache[n]
		})
	}
	e.lazy(g, "crypto", e.cryptoObject)
	e.lazy(g, "Crypto", e.cryptoClass)
	e.lazy(g, "SubtleCrypto", e.subtleCryptoClass)
}
