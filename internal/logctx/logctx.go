// Package logctx carries a request-scoped zap logger in a context, so every
// layer logs with the request id without importing the HTTP layer.
package logctx

import (
	"context"

	"go.uber.org/zap"
)

type ctxKey struct{}

// With returns a context that carries l.
func With(ctx context.Context, l *zap.Logger) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the logger of ctx, or a no-op logger when there is none.
func From(ctx context.Context) *zap.Logger {
	if l, ok := ctx.Value(ctxKey{}).(*zap.Logger); ok && l != nil {
		return l
	}
	return zap.NewNop()
}
