// Package cspr holds csprbot's plain domain types: what an email says and carries
// (MailData and its views), what is sent (OutEmail, Attachment), how a send fails
// (SendError), and the names of templates, return kinds and notices.
//
// It imports nothing of csprbot's and nothing that touches storage, so mailbox and
// templates depend on it and never on the tracker (and SQLite) behind it.
package cspr
