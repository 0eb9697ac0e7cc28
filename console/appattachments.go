package console

import (
	"net/url"
	"strings"

	"kefu/appliance"
)

// maxAppAttachments bounds the images of one app message.
const maxAppAttachments = 9

// appAttachments checks an app message's attachments and returns the
// message kind: an image message when it carries images and no text.
func appAttachments(req appMessageRequest) (appliance.MessageKind, error) {
	if len(req.Attachments) > maxAppAttachments {
		return "", invalid("too_many_attachments", "at most %d attachments per message", maxAppAttachments)
	}
	for i, a := range req.Attachments {
		if a.Type != "image" {
			return "", invalid("unsupported_attachment", "attachment %d: only images are accepted", i+1)
		}
		if a.URL == "" && a.MediaID == "" {
			return "", invalid("invalid_attachment", "attachment %d needs a url or a media_id", i+1)
		}
		if a.URL != "" {
			u, err := url.Parse(a.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(a.URL) > 1024 {
				return "", invalid("invalid_attachment", "attachment %d: url must be an absolute http(s) URL", i+1)
			}
		}
	}
	if len(req.Attachments) > 0 && strings.TrimSpace(req.Text) == "" {
		return appliance.KindImage, nil
	}
	return appliance.KindText, nil
}
