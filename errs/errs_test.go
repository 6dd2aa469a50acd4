package errs

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"slices"
	"strconv"
	"testing"
)

// contractStatus is the contract's code → status table (API.md, "Errors").
var contractStatus = map[Code]int{
	InvalidBucketName:     400,
	InvalidObjectName:     400,
	InvalidArgument:       400,
	MalformedJSON:         400,
	InvalidPolicyDocument: 400,
	BadDigest:             400,
	Unauthorized:          401,
	AccessDenied:          403,
	NoSuchBucket:          404,
	NoSuchKey:             404,
	NoSuchUpload:          404,
	NotFound:              404,
	MethodNotAllowed:      405,
	BucketAlreadyExists:   409,
	BucketNotEmpty:        409,
	PreconditionFailed:    412,
	EntityTooLarge:        413,
	InvalidRange:          416,
	SlowDown:              429,
	InternalError:         500,
	BackendUnavailable:    503,
	BackendTimeout:        504,
}

// declaredCodes returns the Code constants declared in errs.go, found by
// reading the source, so that a code added without a status is caught.
func declaredCodes(t *testing.T) []Code {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "errs.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []Code
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					t.Fatalf("Code constant with a non-literal value")
				}
				s, _ := strconv.Unquote(lit.Value)
				out = append(out, Code(s))
			}
		}
	}
	return out
}

func TestStatusTableIsComplete(t *testing.T) {
	declared := declaredCodes(t)
	if len(declared) == 0 {
		t.Fatal("no Code constants found in errs.go")
	}
	for _, c := range declared {
		want, ok := contractStatus[c]
		if !ok {
			t.Errorf("%s: declared but not in the contract's table", c)
			continue
		}
		if got := c.Status(); got != want {
			t.Errorf("%s.Status() = %d, want %d", c, got, want)
		}
		if _, ok := statusByCode[c]; !ok {
			t.Errorf("%s: no entry in statusByCode", c)
		}
	}
	for c := range contractStatus {
		if !slices.Contains(declared, c) {
			t.Errorf("%s: in the contract but not declared", c)
		}
	}
	codes := Codes()
	if len(codes) != len(declared) {
		t.Errorf("Codes() has %d codes, %d are declared", len(codes), len(declared))
	}
	for _, c := range declared {
		if !slices.Contains(codes, c) {
			t.Errorf("Codes() lacks %s", c)
		}
	}
	if got := Code("NoSuchThing").Status(); got != http.StatusInternalServerError {
		t.Errorf("unknown code: status %d, want 500", got)
	}
}

func TestNewAndError(t *testing.T) {
	e := New(NoSuchKey, "object %q not found", "a.txt")
	if e.Code != NoSuchKey || e.Message != `object "a.txt" not found` || e.Err != nil {
		t.Fatalf("%+v", e)
	}
	if e.Error() != `NoSuchKey: object "a.txt" not found` {
		t.Fatalf("Error() = %q", e.Error())
	}
	if e.Unwrap() != nil {
		t.Fatal("Unwrap of an error without a cause")
	}
}

func TestWrap(t *testing.T) {
	cause := fmt.Errorf("dial tcp 10.0.0.1:9000: %w", io.ErrUnexpectedEOF)
	e := Wrap(cause, BackendUnavailable, "the object store is unreachable")
	if e.Message != "the object store is unreachable" {
		t.Fatalf("message %q: the cause must stay out of the client message", e.Message)
	}
	if !errors.Is(e, io.ErrUnexpectedEOF) || e.Unwrap() != cause {
		t.Fatal("the cause is not reachable through Unwrap")
	}
	if want := "BackendUnavailable: the object store is unreachable: " + cause.Error(); e.Error() != want {
		t.Fatalf("Error() = %q, want %q", e.Error(), want)
	}
}

func TestAsCodeOfIs(t *testing.T) {
	inner := New(NoSuchBucket, "no bucket")
	cases := []struct {
		name     string
		err      error
		wantAs   bool
		wantCode Code
	}{
		{"direct", inner, true, NoSuchBucket},
		{"wrappedByFmt", fmt.Errorf("listing: %w", inner), true, NoSuchBucket},
		{"wrappedTwice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", inner)), true, NoSuchBucket},
		{"joined", errors.Join(io.EOF, inner), true, NoSuchBucket},
		{"outermostWins", Wrap(inner, AccessDenied, "denied"), true, AccessDenied},
		{"plainError", io.EOF, false, InternalError},
		{"nil", nil, false, InternalError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := As(tc.err)
			if ok != tc.wantAs || (ok && e.Code != tc.wantCode) || (!ok && e != nil) {
				t.Fatalf("As = %v, %v", e, ok)
			}
			if got := CodeOf(tc.err); got != tc.wantCode {
				t.Fatalf("CodeOf = %s, want %s", got, tc.wantCode)
			}
			if !Is(tc.err, tc.wantCode) && tc.wantAs {
				t.Fatalf("Is(%s) = false", tc.wantCode)
			}
			if Is(tc.err, NoSuchUpload) {
				t.Fatal("Is(NoSuchUpload) = true")
			}
		})
	}
}
