package inspect

import "github.com/dop251/goja"

// This package's tests run on unguarded runtimes: plain goja buffers.
func init() {
	NewArrayBuffer = func(vm *goja.Runtime, data []byte) (goja.ArrayBuffer, error) {
		return vm.NewArrayBuffer(data), nil
	}
}
