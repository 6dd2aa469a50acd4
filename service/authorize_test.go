package service

import (
	"reflect"
	"testing"
)

// Every operation of Service but Ready has a scope, and the table names no
// operation Service lacks: a new operation cannot slip past the checks.
func TestOperationScopesCoverService(t *testing.T) {
	ops := reflect.TypeFor[Service]()
	for i := range ops.NumMethod() {
		name := ops.Method(i).Name
		if _, ok := operationScopes[name]; !ok && name != "Ready" {
			t.Errorf("operation %s has no scope in operationScopes", name)
		}
	}
	for name := range operationScopes {
		if _, ok := ops.MethodByName(name); !ok {
			t.Errorf("operationScopes names %s, which Service does not have", name)
		}
	}
}
