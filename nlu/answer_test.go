package nlu_test

import (
	"slices"
	"testing"
	"time"

	"kefu/nlu"
)

// The dialogue from the appliance where the classifier took the budget for a
// goodbye and the task was dropped: an answer to the question asked fills
// the slot whatever the message sounded like.
func TestAnswerFillsPendingSlot(t *testing.T) {
	d := newDialogue(t, "travel")
	ask := d.say(nil, "有没有靠近地铁站的双床房?", "hotel_search", 0.99, t0, "zh")
	date := d.say(&ask.State, "下周五入住", "hotel_search", 0.98, t0.Add(time.Minute), "zh")
	if !slices.Equal(date.Missing, []string{"budget"}) || date.Filled["checkin_date"] != "2026-12-04" {
		t.Fatalf("after the date: got %v missing %v, want checkin 2026-12-04 and budget missing", date.Filled, date.Missing)
	}
	for _, guess := range []struct {
		intent string
		conf   float64
	}{
		{nlu.IntentGoodbye, 0.33}, {nlu.IntentGoodbye, 1}, {nlu.IntentThanks, 0.9}, {"booking_cancel", 0.4}, {nlu.IntentNone, 0},
	} {
		budget := d.say(&date.State, "预算300-500元", guess.intent, guess.conf, t0.Add(2*time.Minute), "zh")
		if !budget.Answered || budget.Intent == nil || budget.Intent.Name != "hotel_search" {
			t.Errorf("budget read as %s (%.2f): got answered=%v intent %v, want the answer to hotel_search", guess.intent, guess.conf, budget.Answered, budget.Intent)
			continue
		}
		if !budget.Complete || budget.Filled["budget"] != "300-500" || budget.Filled["room_type"] != "双床房" {
			t.Errorf("budget read as %s: got %v missing %v, want complete with budget 300-500 and the room kept", guess.intent, budget.Filled, budget.Missing)
		}
	}
	// A clearly different task outranks the answer.
	other := d.say(&date.State, "帮我取消明天的预订", "booking_cancel", 0.95, t0.Add(2*time.Minute), "zh")
	if other.Answered || other.Intent == nil || other.Intent.Name != "booking_cancel" {
		t.Errorf("confident booking_cancel: got answered=%v intent %v, want booking_cancel", other.Answered, other.Intent)
	}
}

func TestGuessDoesNotDropTask(t *testing.T) {
	d := newDialogue(t, "travel")
	ask := d.say(nil, "有没有靠近地铁站的双床房?", "hotel_search", 0.99, t0, "zh")
	// A guessed goodbye without an answer keeps the open questions.
	bye := d.say(&ask.State, "嗯那个", nlu.IntentGoodbye, 0.3, t0.Add(time.Minute), "zh")
	if bye.State.ActiveIntent != "hotel_search" || !slices.Equal(bye.State.Missing, []string{"checkin_date", "budget"}) {
		t.Errorf("guessed goodbye: got %q missing %v, want hotel_search with its questions open", bye.State.ActiveIntent, bye.State.Missing)
	}
	// A guessed question about something else is answered elsewhere; the task
	// waits for the customer's answer.
	aside := d.say(&ask.State, "押金要交多少", "hotel_policy", 0.4, t0.Add(time.Minute), "zh")
	if !aside.Suspended || aside.Intent != nil {
		t.Fatalf("guessed aside: got suspended=%v intent %v, want suspended with no intent", aside.Suspended, aside.Intent)
	}
	if aside.State.ActiveIntent != "hotel_search" || len(aside.State.Missing) != 2 || aside.State.Slots["room_type"] != "双床房" {
		t.Errorf("guessed aside: state %+v, want hotel_search kept with its slots and questions", aside.State)
	}
	later := d.say(&aside.State, "明天入住 预算500以内", nlu.IntentNone, 0, t0.Add(2*time.Minute), "zh")
	if !later.Answered || !later.Complete || later.Filled["budget"] != "0-500" || later.Filled["checkin_date"] != "2026-11-25" {
		t.Errorf("answer after the aside: got %v missing %v answered=%v, want complete", later.Filled, later.Missing, later.Answered)
	}
	// A confident new question replaces the task.
	sure := d.say(&ask.State, "押金要交多少", "hotel_policy", 0.9, t0.Add(time.Minute), "zh")
	if sure.Suspended || sure.State.ActiveIntent != "hotel_policy" {
		t.Errorf("confident aside: got %q suspended=%v, want hotel_policy", sure.State.ActiveIntent, sure.Suspended)
	}
	// A sure goodbye ends it.
	end := d.say(&ask.State, "再见", nlu.IntentGoodbye, 1, t0.Add(time.Minute), "zh")
	if end.State.ActiveIntent != "" {
		t.Errorf("goodbye: got %q, want no task", end.State.ActiveIntent)
	}
}
