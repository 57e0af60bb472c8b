package syncserver

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/localfirst/gopowersync/syncserver/internal/auth"
)

// Config configures New. The zero value of every field but Path selects
// its default.
type Config struct {
	// Path is the SQLite database file, created if missing; ":memory:"
	// keeps everything in memory (tests). Required.
	Path string
	// Rules is the text of a sync-rules YAML file (bucket_definitions
	// only, see New); "" selects one bucket per table for every user.
	Rules string
	// Secret is the HS256 key tokens are signed with. When empty, a
	// random 32-byte key is made once and stored in the database, so
	// tokens survive a restart.
	Secret []byte
	// Audience is the aud claim tokens carry and must carry; default
	// "powersync-dev".
	Audience string
	// TokenLifetime is how long tokens from /api/token and Token live:
	// default 1 h, at most 24 h (the service's token_max_expiration).
	TokenLifetime time.Duration
	// KeepaliveInterval is the time between {"token_expires_in":N} lines
	// on an open stream; default 20 s, as the service
	// (service-core src/sync/util.ts).
	KeepaliveInterval time.Duration
	// MaxOpsPerLine bounds the ops in one data line; default 1000, as the
	// service (storage/BucketStorage.ts).
	MaxOpsPerLine int
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
}

// Defaults of Config's fields.
const (
	DefaultAudience          = "powersync-dev"
	DefaultTokenLifetime     = time.Hour
	DefaultKeepaliveInterval = 20 * time.Second
	DefaultMaxOpsPerLine     = 1000
	// DefaultUserID is the user /api/token issues a token for when the
	// request names none.
	DefaultUserID = "dev-user"
)

// MaxTokenLifetime is the longest lifetime the service accepts (exp-iat,
// its default token_max_expiration of 1 day).
const MaxTokenLifetime = auth.MaxLifetime

func (c Config) withDefaults() (Config, error) {
	if c.Path == "" {
		return c, errors.New(`syncserver: Config.Path is required (":memory:" for an in-memory database)`)
	}
	if c.Audience == "" {
		c.Audience = DefaultAudience
	}
	switch {
	case c.TokenLifetime == 0:
		c.TokenLifetime = DefaultTokenLifetime
	case c.TokenLifetime < 0 || c.TokenLifetime > MaxTokenLifetime:
		return c, fmt.Errorf("syncserver: Config.TokenLifetime %v is outside (0, %v]", c.TokenLifetime, MaxTokenLifetime)
	}
	switch {
	case c.KeepaliveInterval == 0:
		c.KeepaliveInterval = DefaultKeepaliveInterval
	case c.KeepaliveInterval < 0:
		return c, fmt.Errorf("syncserver: Config.KeepaliveInterval %v is negative", c.KeepaliveInterval)
	}
	switch {
	case c.MaxOpsPerLine == 0:
		c.MaxOpsPerLine = DefaultMaxOpsPerLine
	case c.MaxOpsPerLine < 0:
		return c, fmt.Errorf("syncserver: Config.MaxOpsPerLine %d is negative", c.MaxOpsPerLine)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
