package handlers

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// readerFromResponse is a response writer that can read from a reader, as
// net/http's own is on a TCP connection.
type readerFromResponse struct {
	*httptest.ResponseRecorder
	readFrom int
}

func (w *readerFromResponse) ReadFrom(r io.Reader) (int64, error) {
	w.readFrom++
	return io.Copy(w.ResponseRecorder, r)
}

// selfWritingBody stands for the service's store stream: an io.WriterTo
// that hands the rest of its bytes to the writer's ReadFrom.
type selfWritingBody struct {
	head, rest string
	wroteTo    bool
}

func (b *selfWritingBody) Read([]byte) (int, error) { panic("a self-writing body must not be Read") }

func (b *selfWritingBody) WriteTo(w io.Writer) (int64, error) {
	b.wroteTo = true
	n, err := io.WriteString(w, b.head)
	if err != nil {
		return int64(n), err
	}
	m, err := w.(io.ReaderFrom).ReadFrom(strings.NewReader(b.rest))
	return int64(n) + m, err
}

func TestSendBody(t *testing.T) {
	const head, rest = "buffered|", "the rest, by ReadFrom"
	cases := map[string]struct {
		readerFrom   bool // the server's writer has ReadFrom
		selfWriting  bool // the body is an io.WriterTo
		wantReadFrom int
	}{
		"sendBody_spliceable":            {readerFrom: true, selfWriting: true, wantReadFrom: 1},
		"sendBody_writerWithoutReadFrom": {readerFrom: false, selfWriting: true},
		"sendBody_plainBody":             {readerFrom: true, selfWriting: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := &readerFromResponse{ResponseRecorder: httptest.NewRecorder()}
			var w http.ResponseWriter = rec
			if !tc.readerFrom {
				w = rec.ResponseRecorder
			}
			c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), w)
			c.Response().WriteHeader(http.StatusOK)
			// Only Read: the pooled-buffer copy.
			var body io.Reader = struct{ io.Reader }{strings.NewReader(head + rest)}
			self := &selfWritingBody{head: head, rest: rest}
			if tc.selfWriting {
				body = self
			}
			if err := sendBody(c.Response(), body); err != nil {
				t.Fatal(err)
			}
			if got := rec.Body.String(); got != head+rest {
				t.Errorf("sent %q", got)
			}
			if got := c.Response().Size; got != int64(len(head+rest)) {
				t.Errorf("Response.Size = %d, want %d (the request log and metrics read it)", got, len(head+rest))
			}
			if tc.selfWriting && !self.wroteTo {
				t.Error("the body's WriteTo was not used")
			}
			if rec.readFrom != tc.wantReadFrom {
				t.Errorf("the server writer's ReadFrom called %d times, want %d", rec.readFrom, tc.wantReadFrom)
			}
		})
	}
}
