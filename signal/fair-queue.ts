/**
 * Runs asynchronous jobs (signature checks) a few at a time, taking turns between keys (addresses). WebCrypto's
 * jobs go to one FIFO thread pool: five hundred hellos of one attacker queued there would make a newcomer's hello
 * wait behind all of them. Here the newcomer waits for at most one job of each other address.
 */

/** A queue shared by all sessions of a server. */
export interface FairQueue {
  /** Runs `job` when it is `key`'s turn; resolves or rejects with it. */
  run<T>(key: string, job: () => Promise<T>): Promise<T>;
  /** Jobs waiting (not yet started). */
  readonly waiting: number;
}

/** Creates a queue running at most `concurrency` jobs at once. */
export function createFairQueue(concurrency: number): FairQueue {
  /** Waiting jobs per key; the map's order is the round-robin order (a key served moves to the back). */
  const queues = new Map<string, Array<() => void>>();
  let running = 0;
  let waiting = 0;

  function next(): void {
    while (running < concurrency) {
      const first = queues.entries().next();
      if (first.done === true) return;
      const [key, jobs] = first.value;
      const start = jobs.shift();
      queues.delete(key);
      if (jobs.length > 0) queues.set(key, jobs);
      if (start === undefined) continue;
      waiting--;
      running++;
      start();
    }
  }

  return {
    run(key, job) {
      return new Promise((resolve, reject) => {
        const start = (): void => {
          Promise.resolve()
            .then(job)
            .then(resolve, reject)
            .finally(() => {
              running--;
              next();
            });
        };
        const jobs = queues.get(key);
        if (jobs) jobs.push(start);
        else queues.set(key, [start]);
        waiting++;
        next();
      });
    },
    get waiting() {
      return waiting;
    },
  };
}
