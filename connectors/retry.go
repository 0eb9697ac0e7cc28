package connectors

import (
	"context"
	"errors"
	"net"
	"slices"
	"time"
)

// Tokens gives out an account's access token and takes back one the
// platform refused (TokenCache is one).
type Tokens interface {
	Token(ctx context.Context) (string, error)
	Invalidate(token string)
}

// Retry says which of a platform's answers are worth another try.
type Retry struct {
	// TokenCodes mean the access token was refused: it is dropped and the
	// call made again with a fresh one.
	TokenCodes []int
	// BusyCodes mean the platform was busy and did nothing (WeChat's -1).
	BusyCodes []int
	// Final marks the token-fetch errors no retry can fix; by default any
	// platform error code but a busy one. A host not allowed always is.
	Final func(error) bool
}

// CallWithToken calls call with the account's access token, up to four
// times with a doubling backoff from 200 ms. A refused token is dropped and
// the call retried with a new one; a token fetch that failed on the network
// or with a busy code, a call that never reached the platform (a dial error)
// and a busy answer are retried. Any other failure is returned as it is: a
// request the platform may have acted on is not repeated blindly.
func CallWithToken(ctx context.Context, tokens Tokens, r Retry, call func(token string) error) error {
	final := r.Final
	if final == nil {
		final = func(err error) bool { code := APICode(err); return code != 0 && !slices.Contains(r.BusyCodes, code) }
	}
	backoff := 200 * time.Millisecond
	var err error
	for i := 0; i < 4; i++ {
		if i > 0 {
			select {
			case <-time.After(backoff):
				backoff *= 2
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			}
		}
		var tok string
		if tok, err = tokens.Token(ctx); err != nil {
			if errors.Is(err, ErrHostNotAllowed) || final(err) {
				return err
			}
			continue
		}
		err = call(tok)
		switch code := APICode(err); {
		case err == nil:
			return nil
		case slices.Contains(r.TokenCodes, code):
			tokens.Invalidate(tok)
		case slices.Contains(r.BusyCodes, code) || NotSent(err):
		default:
			return err
		}
	}
	return err
}

// NotSent reports a network failure before the request was written (a dial
// error): the platform never saw it, so it is safe to send again.
func NotSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
