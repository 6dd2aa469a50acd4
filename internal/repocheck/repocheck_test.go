package repocheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// No tracked file of this repository is large or an executable binary.
func TestTrackedFiles(t *testing.T) {
	root := filepath.Join("..", "..")
	if err := exec.Command("git", "-C", root, "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		t.Skipf("not a git work tree: %v", err)
	}
	files, err := Tracked(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("git tracks only %d files here: not the repository", len(files))
	}
	problems, err := Check(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// The check finds what it looks for: a committed binary and a large file
// in a repository of their own, and each executable format.
func TestCheckFindsBuildOutput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, content []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.go", []byte("package main\n"))
	write("README.md", []byte("# a text\n"))
	write("loadtest", append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1}, make([]byte, 100)...))
	write("big.json", make([]byte, MaxFileSize+1))
	pe := make([]byte, 0x80)
	copy(pe, "MZ")
	pe[0x3c] = 0x40
	copy(pe[0x40:], "PE\x00\x00")
	write("tool.exe", pe)
	write("notes.txt", []byte("MZ at the start of a text, without a PE header after it\n"))
	write("tool-mac", []byte{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1})
	write("tiny", []byte{0x7f})
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	files, err := Tracked(dir)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := Check(dir, append(files, "deleted-since"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"big.json: ", "loadtest: an executable binary (ELF)", "tool-mac: an executable binary (Mach-O)", "tool.exe: an executable binary (PE)"}
	if len(problems) != len(want) {
		t.Fatalf("problems %q, want %d", problems, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(problems[i], w) {
			t.Errorf("problem %d is %q, want %q…", i, problems[i], w)
		}
	}
}
