package devserver

import (
	"net/smtp"
	"strings"
	"testing"
)

const goodHead = "From: LSCP <partnership@example.org>\r\nTo: a@example.org\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n" +
	"Message-Id: <x.1@example.org>\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nMIME-Version: 1.0\r\n"

func mp(boundaryParam, boundary, tail string) string {
	return goodHead + "Content-Type: multipart/mixed; boundary=" + boundaryParam + "\r\n\r\n" +
		"--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nboundary=3D x caf=C3=A9\r\n" +
		"--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBA==\r\n" +
		tail
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string // a problem containing this; "" for none
	}{
		{"good", mp(`"=_b1"`, "=_b1", "--=_b1--\r\n"), ""},
		{"good token boundary", mp("b1", "b1", "--b1--\r\n"), ""},
		{"unquoted = in boundary", mp("=_b1", "=_b1", "--=_b1--\r\n"), "Content-Type"},
		{"no closing delimiter", mp("b1", "b1", ""), "unexpected EOF"},
		{"bare LF", strings.Replace(mp("b1", "b1", "--b1--\r\n"), "x caf", "x\ncaf", 1), "bare LF"},
		{"long header line", goodHead + "X-Long: " + strings.Repeat("a", 1000) + "\r\n\r\nhi\r\n", "more than 998"},
		{"8-bit header", goodHead + "X-Name: café\r\n\r\nhi\r\n", "8-bit"},
		{"bad base64", strings.Replace(mp("b1", "b1", "--b1--\r\n"), "UEsDBA==", "UEsDB!==", 1), "base64"},
		{"bad references", strings.Replace(goodHead, "Subject", "References: <a@b> junk\r\nSubject", 1) + "\r\nhi\r\n", "References"},
		{"no date", strings.Replace(goodHead, "Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n", "", 1) + "\r\nhi\r\n", "no Date"},
		{"two subjects", goodHead + "Subject: again\r\n\r\nhi\r\n", "Subject appears 2 times"},
		{"8-bit body declared 7bit", goodHead + "Content-Type: text/plain; charset=utf-8\r\n\r\ncafé\r\n", "7bit"},
		{"calendar without method", goodHead + "Content-Type: text/calendar; charset=utf-8\r\n\r\nBEGIN:VCALENDAR\r\n", "method"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := Check([]byte(tc.raw))
			got := strings.Join(rep.Problems, "\n")
			switch {
			case tc.want == "" && got != "":
				t.Errorf("Check = %s, want no problems", got)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("Check = %q, want a problem mentioning %q", got, tc.want)
			}
		})
	}
	rep := Check([]byte(mp(`"=_b1"`, "=_b1", "--=_b1--\r\n")))
	if len(rep.Parts) != 2 || string(rep.Parts[0].Body) != "boundary= x café" || rep.Parts[1].Filename != "a.bin" || string(rep.Parts[1].Body) != "PK\x03\x04" {
		t.Errorf("Check parts = %+v", rep.Parts)
	}
}

// A sink told to refuse invalid mail answers 554 5.6.0 at the end of DATA, as a strict
// server does, and keeps nothing; valid mail still goes through.
func TestRefuseInvalid(t *testing.T) {
	s, err := StartSMTP("127.0.0.1:0", "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.RefuseInvalid(true)
	bad := goodHead + "X-Long: " + strings.Repeat("a", 1000) + "\r\n\r\nhi\r\n"
	err = smtp.SendMail(s.Addr, nil, "partnership@example.org", []string{"a@example.org"}, []byte(bad))
	if err == nil || !strings.Contains(err.Error(), "554") {
		t.Errorf("SendMail(invalid) = %v, want a 554 refusal", err)
	}
	if err := smtp.SendMail(s.Addr, nil, "partnership@example.org", []string{"a@example.org"}, []byte(goodHead+"\r\nhi\r\n")); err != nil {
		t.Errorf("SendMail(valid) = %v", err)
	}
	if n := len(s.Messages()); n != 1 || len(s.Problems()) != 0 {
		t.Errorf("sink kept %d messages with problems %v, want the valid one alone", n, s.Problems())
	}
}
