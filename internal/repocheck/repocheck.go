// Package repocheck finds files that should not be in the repository:
// build output such as compiled binaries, and anything large. Its test runs
// it on the files git tracks, so `make test` fails when one is committed.
package repocheck

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// MaxFileSize is the largest file the repository may hold.
const MaxFileSize = 1 << 20

// executables are the first bytes of the executable formats: ELF, Mach-O
// (32 and 64 bits, both byte orders, and universal). PE, whose "MZ" could
// start a text, is told by its header (isPE).
var executables = []struct {
	format string
	magic  []byte
}{
	{"ELF", []byte{0x7f, 'E', 'L', 'F'}},
	{"Mach-O", []byte{0xfe, 0xed, 0xfa, 0xce}},
	{"Mach-O", []byte{0xfe, 0xed, 0xfa, 0xcf}},
	{"Mach-O", []byte{0xce, 0xfa, 0xed, 0xfe}},
	{"Mach-O", []byte{0xcf, 0xfa, 0xed, 0xfe}},
	{"Mach-O universal", []byte{0xca, 0xfe, 0xba, 0xbe}},
}

// Tracked lists the files git tracks in the work tree at root.
func Tracked(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %w", root, err)
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

// Check returns a problem for each of files (relative to root) that is over
// MaxFileSize or an executable binary. Files listed but gone from the work
// tree are not problems.
func Check(root string, files []string) ([]string, error) {
	var problems []string
	for _, name := range files {
		problem, err := checkFile(filepath.Join(root, name))
		if err != nil {
			return nil, err
		}
		if problem != "" {
			problems = append(problems, name+": "+problem)
		}
	}
	return problems, nil
}

func checkFile(path string) (string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return "", err
	}
	if info.Size() > MaxFileSize {
		return fmt.Sprintf("%d bytes, over the %d a tracked file may have", info.Size(), MaxFileSize), nil
	}
	head := make([]byte, 4)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	format := ""
	for _, e := range executables {
		if bytes.HasPrefix(head[:n], e.magic) {
			format = e.format
		}
	}
	if format == "" && isPE(f, head[:n]) {
		format = "PE"
	}
	if format != "" {
		return "an executable binary (" + format + "): build output belongs in .gitignore", nil
	}
	return "", nil
}

// isPE reports whether f is a PE executable: "MZ", and at the offset the
// DOS header gives at 0x3c, the signature "PE\0\0".
func isPE(f io.ReaderAt, head []byte) bool {
	if !bytes.HasPrefix(head, []byte("MZ")) {
		return false
	}
	var at [4]byte
	if _, err := f.ReadAt(at[:], 0x3c); err != nil {
		return false
	}
	var sig [4]byte
	if _, err := f.ReadAt(sig[:], int64(binary.LittleEndian.Uint32(at[:]))); err != nil {
		return false
	}
	return string(sig[:]) == "PE\x00\x00"
}
