/**
 * The file an actor's worker thread starts with: CommonJS, importing the ES module entry
 * (actor-host.js), like task-worker-loader.cts for the task pool, so no worker of functionfuse
 * loads its entry with Node 20's require() of an ES module (see that file for the abort).
 */
import('./actor-host.js').catch((error: unknown) => {
  // Thrown outside the promise so the worker dies with it and the main thread's 'error' handler
  // fails the actor's calls with this cause.
  setImmediate(() => {
    throw error;
  });
});
