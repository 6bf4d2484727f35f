-- Reserving runners looks up a queue's latest exit; this keeps that a single index probe.
CREATE INDEX mayfly_runners_exits ON mayfly_runners (queue, exited_at);
