package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"ferry/models"
)

// slackMessage is Slack's incoming-webhook message: text (the notification's
// fallback) and blocks (what the channel shows).
type slackMessage struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string       `json:"type"`
	Text     *slackText   `json:"text,omitempty"`
	Elements []*slackText `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"` // mrkdwn or plain_text
	Text string `json:"text"`
}

// SlackPayload is the JSON a Slack channel posts for m.
func SlackPayload(m Message) ([]byte, error) {
	ev := m.Event
	title := "*" + slackEscape(ev.Summary) + "*"
	if who := Mentions(ev.Recipients); who != "" {
		title = who + " " + title
	}
	blocks := []slackBlock{{Type: "section", Text: &slackText{Type: "mrkdwn", Text: title}}}
	if text := strings.TrimSpace(ev.Text); text != "" {
		blocks = append(blocks, slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: slackEscape(limit(text, 2900))}})
	}
	blocks = append(blocks, slackBlock{Type: "context", Elements: []*slackText{{Type: "mrkdwn",
		Text: slackEscape("Ferry · " + ev.Type + " · " + ev.ID)}}})
	return json.Marshal(slackMessage{Text: slackEscape(ev.Summary), Blocks: blocks})
}

var slackID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// Mentions is how a Slack message names its recipients: <@U024BE7LH> for a member
// ID (a mention that notifies), @name as plain text otherwise.
func Mentions(rs []Recipient) string {
	var out []string
	for _, r := range rs {
		s := strings.TrimSpace(r.Slack)
		switch {
		case strings.HasPrefix(s, "<@") && strings.HasSuffix(s, ">"):
			out = append(out, s)
		case slackID.MatchString(strings.TrimPrefix(s, "@")):
			out = append(out, "<@"+strings.TrimPrefix(s, "@")+">")
		case s != "":
			out = append(out, slackEscape("@"+strings.TrimPrefix(s, "@")))
		default:
			out = append(out, slackEscape(r.Name))
		}
	}
	return strings.Join(out, " ")
}

// slackEscape escapes the three characters Slack's text gives meaning to.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (s *Sender) slack(ctx context.Context, ch models.Channel, m Message) error {
	body, err := SlackPayload(m)
	if err != nil {
		return &Error{Err: err, Permanent: true}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderIdempotency, m.Event.ID)
	h.Set(HeaderEvent, m.Event.Type)
	return s.post(ctx, ch.URL, h, body)
}
