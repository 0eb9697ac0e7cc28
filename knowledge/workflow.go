package knowledge

// Action is a workflow step an editor takes.
type Action string

const (
	ActionCreate    Action = "create"
	ActionEdit      Action = "edit"
	ActionSubmit    Action = "submit"    // draft or unpublished → review
	ActionReject    Action = "reject"    // review → draft
	ActionPublish   Action = "publish"   // review → published
	ActionUnpublish Action = "unpublish" // stop answering customers from it
)

// next computes the state after an action, or an invalid_transition error
// naming the item, the action and the status it is in.
func next(it *Item, a Action) (Status, int, error) {
	switch {
	case a == ActionSubmit && (it.Status == StatusDraft || it.Status == StatusUnpublished):
		return StatusReview, it.PublishedVersion, nil
	case a == ActionReject && it.Status == StatusReview:
		return StatusDraft, it.PublishedVersion, nil
	case a == ActionPublish && it.Status == StatusReview:
		return StatusPublished, it.Version, nil
	case a == ActionUnpublish && it.PublishedVersion > 0:
		to := it.Status
		if to == StatusPublished {
			to = StatusUnpublished
		}
		return to, 0, nil
	}
	return "", 0, &Error{Code: CodeInvalidTransition, Message: "cannot " + string(a) + " " + it.ID + " while it is " + string(it.Status)}
}

// AllowedActions lists the workflow steps an item can take now, for the
// console's buttons.
func AllowedActions(it Item) []Action {
	var out []Action
	for _, a := range []Action{ActionSubmit, ActionReject, ActionPublish, ActionUnpublish} {
		if _, _, err := next(&it, a); err == nil {
			out = append(out, a)
		}
	}
	return out
}
