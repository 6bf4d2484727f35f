-- A queue's fleet history (start-up, job durations) reads its latest runners.
CREATE INDEX mayfly_runners_queue_launched ON mayfly_runners (queue, launched_at);
