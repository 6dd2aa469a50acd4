package handlers

import (
	"io"
	"sync"

	"github.com/labstack/echo/v4"
)

// sendBody writes a download's body after its headers.
//
// A body that can write itself (io.WriterTo: the service's stream of an
// object straight from the store's connection) is handed a writer whose
// ReadFrom is that of net/http's response writer, so the bytes can go from
// the store's socket to the client's by splice(2) without passing through
// the gateway's memory. Any other body is copied through a pooled buffer.
func sendBody(res *echo.Response, body io.Reader) error {
	if wt, ok := body.(io.WriterTo); ok {
		_, err := wt.WriteTo(responseWriter{res})
		return err
	}
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	_, err := io.CopyBuffer(res, body, *buf)
	return err
}

// responseWriter writes to an echo response and lets a reader be copied
// by the underlying writer's ReadFrom, counting the bytes in res.Size as
// echo's own Write does (the request log and metrics read it).
type responseWriter struct{ res *echo.Response }

func (w responseWriter) Write(p []byte) (int, error) { return w.res.Write(p) }

func (w responseWriter) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := w.res.Writer.(io.ReaderFrom); ok && w.res.Committed {
		n, err := rf.ReadFrom(r)
		w.res.Size += n
		return n, err
	}
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	// echo's Response has no ReadFrom of its own: this is a plain copy.
	return io.CopyBuffer(w.res, r, *buf)
}

// copyBufferSize is the size of the buffers that downloads are copied
// through: large enough that a big object goes out in few system calls
// (io.Copy would allocate 32 KiB per download), small enough to pool.
const copyBufferSize = 256 << 10

// copyBuffers holds the download copy buffers (*[]byte). It is scratch
// space, not state: nothing in it outlives the copy that took it.
var copyBuffers = sync.Pool{New: func() any {
	b := make([]byte, copyBufferSize)
	return &b
}}
