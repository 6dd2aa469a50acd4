//go:build unix

package miniostore

import "syscall"

// allocPart maps size bytes of anonymous memory, outside the Go heap. If
// the system refuses, the buffer comes from the heap instead.
func allocPart(size int) []byte {
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, size)
	}
	return b
}

// freePart unmaps a buffer from allocPart; a heap buffer is left to the
// garbage collector (Munmap refuses it: it was not mapped by Mmap).
func freePart(b []byte) {
	_ = syscall.Munmap(b)
}
