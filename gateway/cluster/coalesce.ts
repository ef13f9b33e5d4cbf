// Runs `task` once at the end of the current tick however often it was asked
// for: a reload or a restart changes several upstreams at once, and the workers
// need the final state once, not every intermediate one.
export function coalesce(task: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      task();
    });
  };
}
