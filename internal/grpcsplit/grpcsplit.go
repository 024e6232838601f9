// Package grpcsplit shares one cleartext listener between net/http and
// grpc-go: a connection whose first HTTP/2 request is gRPC is handed to
// grpc-go's transport, every other connection (HTTP/1.1, h2c Connect or
// gRPC-Web, anything it cannot tell) to net/http.
//
// Why: connect-go serves gRPC through net/http's HTTP/2 server, which
// writes each frame with its own syscall and hands every stream to new
// goroutines; grpc-go's transport batches writes and runs at about twice
// the rate on the same machine (see the README's Performance section). The
// decision is per connection, so a client that opens a connection with a
// gRPC call and later sends a Connect call on it gets grpc-go's 415 for
// that call; gRPC clients keep to gRPC on their connections in practice.
package grpcsplit

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http2/hpack"
)

// preface is the HTTP/2 client connection preface (RFC 9113 3.4).
const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// maxSniff bounds what is read of a connection before it is handed on:
// the preface, the client's SETTINGS and WINDOW_UPDATE, and one header
// block.
const maxSniff = 64 << 10

// Splitter accepts connections from a listener and routes each to the
// listener that HTTP or GRPC returns.
type Splitter struct {
	base       net.Listener
	timeout    time.Duration
	http, grpc *chanListener
}

// New starts accepting from ln. A connection that has not shown its first
// request within timeout goes to net/http, which applies its own timeouts.
// Closing the HTTP listener closes ln.
func New(ln net.Listener, timeout time.Duration) *Splitter {
	done := make(chan struct{})
	s := &Splitter{base: ln, timeout: timeout,
		http: newChanListener(ln.Addr(), done), grpc: newChanListener(ln.Addr(), done)}
	s.http.onClose = func() { _ = ln.Close() }
	go s.accept(done)
	return s
}

// HTTP is the listener of the connections for net/http.
func (s *Splitter) HTTP() net.Listener { return s.http }

// GRPC is the listener of the connections for grpc-go.
func (s *Splitter) GRPC() net.Listener { return s.grpc }

func (s *Splitter) accept(done chan struct{}) {
	defer close(done)
	backoff := 5 * time.Millisecond
	for {
		c, err := s.base.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(backoff) // such as EMFILE: wait for descriptors
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 5 * time.Millisecond
		go s.route(c)
	}
}

// route reads the start of c and hands it, with what was read, on.
func (s *Splitter) route(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(s.timeout))
	seen, isGRPC, sentSettings, err := sniff(c, c)
	_ = c.SetDeadline(time.Time{})
	var ne net.Error
	if err != nil && !(errors.As(err, &ne) && ne.Timeout()) && len(seen) == 0 {
		_ = c.Close() // gone before saying anything
		return
	}
	switch {
	case isGRPC: // grpc-go ignores SETTINGS acknowledgements (and so the one of ours)
		s.grpc.deliver(&replayConn{Conn: c, seen: seen})
	case sentSettings: // net/http counts them: it must not see the one of ours
		r := &ackFilter{r: &replayConn{Conn: c, seen: seen}, skip: len(preface)}
		s.http.deliver(&filteredConn{Conn: c, r: r})
	default:
		s.http.deliver(&replayConn{Conn: c, seen: seen})
	}
}

// emptySettings is a SETTINGS frame with no parameters: the server
// connection preface (RFC 9113 3.4), which changes nothing. grpc-go clients
// wait for it before they send their first request.
var emptySettings = []byte{0, 0, 0, 0x4, 0, 0, 0, 0, 0}

// sniff reads from r until it knows whether the connection's first request
// is gRPC over HTTP/2 (content-type application/grpc or application/grpc+
// codec, not gRPC-Web). Once it has read the HTTP/2 client preface it
// writes an empty SETTINGS frame to w (and says so), because some clients
// send no request before the server's preface. It returns the bytes read;
// an error means it could not tell.
func sniff(r io.Reader, w io.Writer) (seen []byte, isGRPC, sentSettings bool, err error) {
	buf := make([]byte, 0, 4096)
	fill := func(n int) error { // read until len(buf) >= n
		for len(buf) < n {
			if cap(buf) == len(buf) {
				buf = append(buf, 0)[:len(buf)]
			}
			m, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+m]
			if err != nil && len(buf) < n {
				return err
			}
		}
		return nil
	}
	// Read until the bytes stop being the preface's start, so that a short
	// HTTP/1.1 request (PUT / HTTP/1.1...) is not held waiting for more.
	for len(buf) < len(preface) {
		if err := fill(len(buf) + 1); err != nil {
			return buf, false, false, err
		}
		n := min(len(buf), len(preface))
		if string(buf[:n]) != preface[:n] {
			return buf, false, false, nil
		}
	}
	if _, err := w.Write(emptySettings); err != nil {
		return buf, false, false, err
	}
	var block []byte
	off := len(preface)
	for {
		if err := fill(off + 9); err != nil {
			return buf, false, true, err
		}
		length := int(buf[off])<<16 | int(buf[off+1])<<8 | int(buf[off+2])
		typ, flags := buf[off+3], buf[off+4]
		if off+9+length > maxSniff {
			return buf, false, true, errors.New("grpcsplit: no header block within the sniff limit")
		}
		if err := fill(off + 9 + length); err != nil {
			return buf, false, true, err
		}
		payload := buf[off+9 : off+9+length]
		off += 9 + length
		switch typ {
		case 0x1: // HEADERS
			frag, ok := headersFragment(payload, flags)
			if !ok {
				return buf, false, true, errors.New("grpcsplit: malformed HEADERS")
			}
			block = append(block, frag...)
		case 0x9: // CONTINUATION
			if block == nil {
				return buf, false, true, errors.New("grpcsplit: CONTINUATION before HEADERS")
			}
			block = append(block, payload...)
		default: // SETTINGS, WINDOW_UPDATE, PRIORITY, PING before the request
			if block != nil {
				return buf, false, true, errors.New("grpcsplit: header block interrupted")
			}
			continue
		}
		if flags&0x4 != 0 { // END_HEADERS
			return buf, isGRPCContentType(block), true, nil
		}
	}
}

// ackFilter passes an HTTP/2 client stream through, without the first
// SETTINGS acknowledgement (the one of the SETTINGS sniff sent): after skip
// bytes (the preface) it reads frame by frame until it has dropped it.
type ackFilter struct {
	r       io.Reader
	skip    int // bytes to pass before the first frame header
	dropped bool
	hdr     [9]byte
	pending []byte // frame header bytes not yet returned
	payload int    // payload bytes of the current frame not yet returned
}

func (f *ackFilter) Read(p []byte) (int, error) {
	for {
		switch {
		case len(f.pending) > 0:
			n := copy(p, f.pending)
			f.pending = f.pending[n:]
			return n, nil
		case f.skip > 0 || f.payload > 0:
			n := max(f.skip, f.payload)
			n, err := f.r.Read(p[:min(len(p), n)])
			if f.skip > 0 {
				f.skip -= n
			} else {
				f.payload -= n
			}
			return n, err
		case f.dropped:
			return f.r.Read(p)
		}
		if _, err := io.ReadFull(f.r, f.hdr[:]); err != nil {
			return 0, err
		}
		length := int(f.hdr[0])<<16 | int(f.hdr[1])<<8 | int(f.hdr[2])
		if f.hdr[3] == 0x4 && f.hdr[4]&0x1 != 0 && length == 0 {
			f.dropped = true
			continue
		}
		f.pending, f.payload = f.hdr[:], length
	}
}

// headersFragment strips a HEADERS frame's padding and priority fields.
func headersFragment(p []byte, flags byte) ([]byte, bool) {
	pad := 0
	if flags&0x8 != 0 { // PADDED
		if len(p) < 1 {
			return nil, false
		}
		pad, p = int(p[0]), p[1:]
	}
	if flags&0x20 != 0 { // PRIORITY
		if len(p) < 5 {
			return nil, false
		}
		p = p[5:] // stream dependency and weight
	}
	if pad > len(p) {
		return nil, false
	}
	return p[:len(p)-pad], true
}

// isGRPCContentType decodes the first header block of the connection (so
// with an empty dynamic table) and reports whether its content-type is
// gRPC's.
func isGRPCContentType(block []byte) bool {
	var ct string
	d := hpack.NewDecoder(4096, func(f hpack.HeaderField) {
		if f.Name == "content-type" {
			ct = f.Value
		}
	})
	d.SetMaxStringLength(maxSniff)
	if _, err := d.Write(block); err != nil {
		return false
	}
	rest, ok := strings.CutPrefix(ct, "application/grpc")
	return ok && (rest == "" || rest[0] == '+' || rest[0] == ';') // not application/grpc-web
}

// replayConn reads what sniff read before the rest of the connection.
type replayConn struct {
	net.Conn
	seen []byte
}

func (c *replayConn) Read(p []byte) (int, error) {
	if len(c.seen) > 0 {
		n := copy(p, c.seen)
		c.seen = c.seen[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// filteredConn reads the connection through an ackFilter.
type filteredConn struct {
	net.Conn
	r io.Reader
}

func (c *filteredConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// chanListener is a net.Listener fed by the Splitter.
type chanListener struct {
	addr    net.Addr
	conns   chan net.Conn
	closed  chan struct{}
	ended   <-chan struct{} // the base listener is done
	once    sync.Once
	onClose func()
}

func newChanListener(addr net.Addr, ended <-chan struct{}) *chanListener {
	return &chanListener{addr: addr, conns: make(chan net.Conn), closed: make(chan struct{}), ended: ended}
}

func (l *chanListener) deliver(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.closed:
		_ = c.Close()
	case <-l.ended:
		_ = c.Close()
	}
}

// Accept waits for a connection until l itself is closed: when the
// shared listener closes first (net/http shut down), grpc-go's Serve keeps
// waiting for its own GracefulStop or Stop, so that it returns as stopped
// and not with an accept error.
func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() {
		close(l.closed)
		if l.onClose != nil {
			l.onClose()
		}
	})
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }
