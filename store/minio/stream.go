package miniostore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// streamTransport carries object reads (the GET and HEAD of an object) on
// a lean HTTP/1.1 exchange of its own. It saves the gateway two costs that
// the standard transport has on the hot path:
//
//   - The body of a GET reads straight from the store's TCP connection.
//     Handed a writer that can take a reader (net/http's response writer on
//     a TCP connection), it moves the bytes from the store's socket to the
//     client's by splice(2), inside the kernel, instead of copying each
//     byte into the gateway and out again.
//   - The exchange runs on the caller's goroutine: no read and write loop
//     goroutines per connection to hand every request and answer over to,
//     which is much of what a small read costs.
//
// The request is built and signed by the caller (directReader, or
// minio-go when that is not used), which reads an error answer through the
// same body. The
// transport speaks HTTP/1.1 over plain TCP only, so it is used for http://
// stores reached without a proxy; other object reads, and every other
// request, use the ordinary transport. bench/RESULTS.md has the figures.
type streamTransport struct {
	dialer        net.Dialer
	headerTimeout time.Duration // from sending the request to the end of the answer's headers
	idle          connPool
}

// newStreamTransport waits up to headerTimeout for the headers of an
// answer (a body then takes as long as it takes).
func newStreamTransport(headerTimeout time.Duration) *streamTransport {
	return &streamTransport{
		dialer:        net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second},
		headerTimeout: headerTimeout,
		idle:          connPool{max: 256, maxAge: 15 * time.Second},
	}
}

// streamEligible reports whether object reads from endpoint can use a
// streamTransport: plain HTTP and no proxy in between.
func streamEligible(endpoint *url.URL) bool {
	if endpoint == nil || endpoint.Scheme != "http" {
		return false
	}
	proxy, err := http.ProxyFromEnvironment(&http.Request{URL: endpoint})
	return err == nil && proxy == nil
}

// aLongTimeAgo is a deadline that makes blocked and future I/O on a
// connection fail at once.
var aLongTimeAgo = time.Unix(1, 0)

func (t *streamTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		_ = req.Body.Close()
		return nil, errors.New("stream transport: a request with a body")
	}
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	for attempt := 0; ; attempt++ {
		conn, reused, err := t.conn(req.Context(), addr)
		if err != nil {
			return nil, err
		}
		resp, err := t.exchange(req, conn)
		if err == nil {
			return resp, nil
		}
		conn.close()
		// A kept-alive connection may have been closed by the store in the
		// meantime; a GET is safe to send again, once, on a new one. A
		// store that did not answer in time is not asked again: that
		// would double the wait.
		var netErr net.Error
		if !reused || attempt > 0 || req.Context().Err() != nil || (errors.As(err, &netErr) && netErr.Timeout()) ||
			errors.Is(err, errAnswerHeaderTooLarge) {
			return nil, err
		}
	}
}

// conn returns an idle connection to addr, or dials one.
func (t *streamTransport) conn(ctx context.Context, addr string) (_ *storeConn, reused bool, _ error) {
	if c := t.idle.get(addr); c != nil {
		return c, true, nil
	}
	nc, err := t.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	tcp, ok := nc.(*net.TCPConn)
	if !ok {
		nc.Close()
		return nil, false, fmt.Errorf("stream transport: %T is not a TCP connection", nc)
	}
	return &storeConn{addr: addr, tcp: tcp, br: bufio.NewReaderSize(tcp, maxAnswerHeader), bw: bufio.NewWriterSize(tcp, 4<<10)}, false, nil
}

// exchange sends req on conn and reads the answer's headers.
func (t *streamTransport) exchange(req *http.Request, conn *storeConn) (*http.Response, error) {
	ctx := req.Context()
	// The end of the request's context (the client went, the call's
	// deadline passed) unblocks whatever waits on the connection.
	stop := context.AfterFunc(ctx, func() { _ = conn.tcp.SetDeadline(aLongTimeAgo) })
	fail := func(err error) (*http.Response, error) {
		stop()
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, err
	}
	_ = conn.tcp.SetDeadline(time.Now().Add(t.headerTimeout))
	if err := req.Write(conn.bw); err != nil {
		return fail(err)
	}
	if err := conn.bw.Flush(); err != nil {
		return fail(err)
	}
	if err := awaitHeader(conn.br); err != nil {
		return fail(err)
	}
	resp, err := http.ReadResponse(conn.br, req)
	if err != nil {
		return fail(err)
	}
	// Bodies have no deadline: a large download takes as long as it takes.
	_ = conn.tcp.SetDeadline(time.Time{})
	if ctx.Err() != nil {
		_ = conn.tcp.SetDeadline(aLongTimeAgo)
	}
	release := func(reuse bool) {
		if stop() && reuse && !resp.Close {
			t.idle.put(conn)
			return
		}
		conn.close()
	}
	switch {
	case resp.Body == http.NoBody:
		// Nothing follows the headers (HEAD, 304, an empty object): the
		// connection is free again.
		release(true)
	case (resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusPartialContent) &&
		resp.ContentLength >= 0 && len(resp.TransferEncoding) == 0:
		resp.Body = &streamBody{br: conn.br, tcp: conn.tcp, remaining: resp.ContentLength, release: release}
	default:
		// Errors and bodies of unknown length: read as net/http parsed
		// them; the connection is not reused.
		resp.Body = &closingBody{ReadCloser: resp.Body, release: release}
	}
	return resp, nil
}

// maxAnswerHeader bounds the header of a store's answer, status line
// included: S3 allows 2 KiB of user metadata, and the store's own headers
// take about 1 KiB. It is the size of a connection's read buffer, which
// holds the whole header before it is parsed.
const maxAnswerHeader = 16 << 10

var errAnswerHeaderTooLarge = fmt.Errorf("stream transport: the store's answer header is over %d bytes", maxAnswerHeader)

// awaitHeader reads from the connection until br holds the whole header of
// an answer (up to the empty line that ends it), so that parsing it reads
// nothing more; a header that does not fit in br is an error.
func awaitHeader(br *bufio.Reader) error {
	searched := 0
	for {
		buf, _ := br.Peek(br.Buffered())
		// The empty line may start up to 3 bytes before what is new.
		from := max(searched-3, 0)
		if bytes.Contains(buf[from:], []byte("\r\n\r\n")) || bytes.Contains(buf[from:], []byte("\n\n")) {
			return nil
		}
		searched = len(buf)
		if len(buf) >= br.Size() {
			return errAnswerHeaderTooLarge
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			return err
		}
	}
}

// storeConn is one connection to the store.
type storeConn struct {
	addr     string
	tcp      *net.TCPConn
	br       *bufio.Reader
	bw       *bufio.Writer
	idleFrom time.Time
}

func (c *storeConn) close() { _ = c.tcp.Close() }

// connPool keeps connections between requests.
type connPool struct {
	max    int           // idle connections kept at most
	maxAge time.Duration // how long one may stay idle: less than the store's own idle timeout

	mu   sync.Mutex
	idle []*storeConn // the most recently used last
}

func (p *connPool) get(addr string) *storeConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	for i := len(p.idle) - 1; i >= 0; i-- {
		c := p.idle[i]
		if now.Sub(c.idleFrom) > p.maxAge {
			// Older than this one are older still: drop them all.
			for _, old := range p.idle[:i+1] {
				old.close()
			}
			p.idle = append(p.idle[:0], p.idle[i+1:]...)
			return nil
		}
		if c.addr == addr {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			return c
		}
	}
	return nil
}

func (p *connPool) put(c *storeConn) {
	c.idleFrom = time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) >= p.max {
		p.idle[0].close()
		p.idle = append(p.idle[:0], p.idle[1:]...)
	}
	p.idle = append(p.idle, c)
}

// streamBody is an object's bytes on the store's connection.
type streamBody struct {
	br        *bufio.Reader // what was read along with the headers comes first
	tcp       *net.TCPConn
	remaining int64
	release   func(reuse bool)
	released  bool
}

func (b *streamBody) Read(p []byte) (int, error) {
	if b.remaining <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.br.Read(p)
	b.remaining -= int64(n)
	if err == io.EOF && b.remaining > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// WriteTo sends the rest of the body to w. When w can read from a reader
// itself (io.ReaderFrom), it is handed the store's connection, which lets
// net/http's response writer splice socket to socket.
func (b *streamBody) WriteTo(w io.Writer) (int64, error) {
	var written int64
	if buffered := int64(b.br.Buffered()); buffered > 0 && b.remaining > 0 {
		head, _ := b.br.Peek(int(min(buffered, b.remaining)))
		n, err := w.Write(head)
		_, _ = b.br.Discard(n)
		written += int64(n)
		b.remaining -= int64(n)
		if err != nil {
			return written, err
		}
	}
	if b.remaining <= 0 {
		return written, nil
	}
	rest := &io.LimitedReader{R: b.tcp, N: b.remaining}
	var n int64
	var err error
	if rf, ok := w.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(rest)
	} else {
		n, err = io.Copy(w, rest)
	}
	written += n
	b.remaining = rest.N
	if err == nil && b.remaining > 0 {
		err = io.ErrUnexpectedEOF
	}
	return written, err
}

// Close gives the connection back for reuse when the whole body was read,
// and closes it otherwise.
func (b *streamBody) Close() error {
	if !b.released {
		b.released = true
		b.release(b.remaining == 0)
	}
	return nil
}

// closingBody is an answer read through net/http's own body reader; Close
// closes the connection.
type closingBody struct {
	io.ReadCloser
	release  func(reuse bool)
	released bool
}

func (b *closingBody) Close() error {
	err := b.ReadCloser.Close()
	if !b.released {
		b.released = true
		b.release(false)
	}
	return err
}
