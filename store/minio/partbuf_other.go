//go:build !unix

package miniostore

// allocPart allocates a part buffer in the Go heap.
func allocPart(size int) []byte { return make([]byte, size) }

// freePart leaves a buffer to the garbage collector.
func freePart([]byte) {}
