package cascade_test

import (
	"context"
	"fmt"
	"time"

	"kefu/nlu"
	"kefu/nlu/cascade"
	"kefu/nlu/catalogs"
	"kefu/nlu/entity"
)

// The engine's side of one conversation: understand each message, advance
// the customer's dialogue state, then act on the turn.
func Example() {
	cat, err := catalogs.Load("travel") // or nlu.LoadCatalog(os.DirFS(dir), "catalog.yaml", ...)
	if err != nil {
		panic(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, entity.Shanghai()) }
	// LLM: an *ollama.Engine when Ollama is configured; nil runs locally only.
	eng, err := cascade.New(context.Background(), cascade.Config{Catalog: cat, Now: now})
	if err != nil {
		panic(err)
	}
	var state *nlu.State // the customer's stored state; nil for a new customer
	for _, text := range []string{"有没有靠近地铁站的双床房?", "明天入住，预算三百到五百"} {
		res, _ := eng.Parse(context.Background(), nlu.Input{Text: text, Lang: "zh", State: state})
		turn := eng.Track(state, res, "zh")
		state = &turn.State // persist with SaveDialogueState
		switch {
		case !turn.Complete:
			fmt.Println("ask:", turn.Prompt())
		case turn.Intent != nil:
			fmt.Println("run:", turn.Intent.Fulfilment.Action, turn.Filled["checkin_date"], turn.Filled["budget"], turn.Filled["room_type"])
		}
	}
	// Output:
	// ask: 请问入住日期是哪天？预算在多少？
	// run: hotel.recommend 2026-11-25 300-500 双床房
}
