package mailbox

import "testing"

func TestTextFromHTML(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"outlook paragraphs", `<html><head><style>p{margin:0}</style></head><body><div class="WordSection1"><p class="MsoNormal">Meeting: 2026-12-16 10:00<o:p></o:p></p><p class="MsoNormal">Waive:&nbsp;Met Police</p></div></body></html>`,
			"Meeting: 2026-12-16 10:00\nWaive: Met Police"},
		{"br lines and entities", `Start scoping<br>Add agency: Hilltop &amp; Co &lt;head@hilltop.example&gt;<br/>`,
			"Start scoping\nAdd agency: Hilltop & Co <head@hilltop.example>"},
		{"script dropped", `<script>alert(1)</script><p>Approve</p>`, "Approve"},
		{"unclosed tags", `<p>Approve<p>thanks`, "Approve\nthanks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TextFromHTML(tt.in); got != tt.want {
				t.Errorf("TextFromHTML = %q, want %q", got, tt.want)
			}
		})
	}
}
