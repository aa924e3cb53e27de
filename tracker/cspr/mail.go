package cspr

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Attachment is a file carried by a message, in or out.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
	// File, when set, holds the content instead of Data: a large attachment on its way
	// in, spooled by the intake and stored in chunks (blobs.go).
	File string
}

// OutEmail is one email csprbot sends. It is fixed (Message-ID included) when it is
// written to the outbox, in the same transaction as the change that causes it, and
// sent as it is, however many attempts that takes.
type OutEmail struct {
	MessageID   string // without angle brackets, e.g. "csprbot.1.ab12@lewisham.gov.uk"
	From        string
	To          []string
	Cc          []string
	Subject     string
	Text        string
	HTML        string // optional alternative
	InReplyTo   string // Message-ID without angle brackets
	References  []string
	Headers     map[string]string // extra headers, e.g. Auto-Submitted
	Attachments []Attachment
	Date        time.Time
}

// Sender delivers one email. Implemented by mailbox.SMTP.
type Sender interface {
	Send(ctx context.Context, m *OutEmail) error
}

// SendError says how a send failed. A Sender returns it (wrapped or not) so the outbox
// knows whether to retry. Any other error counts as temporary.
type SendError struct {
	Permanent bool     // 5xx for the whole message: do not retry
	Rejected  []string // recipients the server refused permanently (5xx at RCPT)
	// MessageRefused says the fault is in the message itself, not in its recipients:
	// the server refused its size, form or content (5xx to DATA or at the end of the
	// data, or a size refusal at MAIL FROM), or it could not be built. Permanent is
	// true too; retrying cannot help and nobody outside will hear of it, so staff
	// must be told.
	MessageRefused bool
	Err            error
}

func (e *SendError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("%s send failure: %v", kind, e.Err)
}

func (e *SendError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a permanent send failure.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// IsMessageRefused reports whether err is a send failure caused by the message
// itself (see SendError.MessageRefused).
func IsMessageRefused(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.MessageRefused
}

// Rendered is one template's output: the subject and the bodies.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
	// Attachments the template produces itself (the scoping form .docx, an .ics invite).
	Attachments []Attachment
}

// Renderer renders a named email template with data. Implemented by templates.Set.
type Renderer interface {
	Render(name string, data *MailData) (Rendered, error)
}
