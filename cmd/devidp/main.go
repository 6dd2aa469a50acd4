// Command devidp is a local OpenID Connect identity provider FOR DEVELOPMENT
// ONLY: it hands a signed user token to anyone on this machine who asks,
// with no password. make run starts it beside MinIO and the gateway so that
// the browser example can sign in as a user; the demo tenant's jwt block
// trusts it. Never point a real tenant at it.
//
//	devidp [-addr 127.0.0.1:8082] [-audience demo-app] [-ttl 10m] [-origins http://127.0.0.1:8081,…]
//
// It serves /.well-known/openid-configuration, /jwks.json (a key generated
// at start, so tokens of an earlier run are refused) and /token?sub=alice.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"s3gateway/internal/devidp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "devidp:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	flags := flag.NewFlagSet("devidp", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:8082", "loopback host:port to listen on")
	audience := flags.String("audience", "demo-app", "aud claim of the tokens (the tenant's jwt audience)")
	ttl := flags.Duration("ttl", 10*time.Minute, "how long a token is valid")
	origins := flags.String("origins", "", "comma-separated browser origins allowed to ask for tokens")
	if err := flags.Parse(args); err != nil {
		return err
	}
	var allowed []string
	for o := range strings.SplitSeq(*origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			allowed = append(allowed, o)
		}
	}
	p, err := devidp.Start(devidp.Options{Addr: *addr, Audience: *audience, TTL: *ttl, Origins: allowed})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "devidp (development only): issuer %s, audience %s, tokens at %s/token?sub=NAME\n", p.URL(), *audience, p.URL())
	<-ctx.Done()
	return p.Close()
}
