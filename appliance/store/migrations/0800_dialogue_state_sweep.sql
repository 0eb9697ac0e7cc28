-- Dialogue states hold what a customer's open task collected — order numbers,
-- and for a withdrawal the ID-card number given for real-name verification.
-- Once a state is older than the dialogue keeps anything (nlu.focus_timeout),
-- the retention job deletes it; this index finds them.
CREATE INDEX ix_dialogue_states_updated ON dialogue_states (updated_at);
