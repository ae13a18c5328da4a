/**
 * `starmesh/server`: the signaling server as a library. `startSignalServer(options)` resolves with a running
 * server (`url`, `port`, `stats()`, `close()`); every limit of `limits.ts` is an option. The command-line entry is
 * `starmesh-signal` (`cli.ts`).
 */
export {
  startSignalServer,
  DEFAULT_SIGNAL_HOST,
  DEFAULT_SIGNAL_PORT,
  type SignalServer,
  type SignalServerOptions,
  type SignalServerStats,
  type SignalServerTraffic,
} from './server';
export { DEFAULT_LIMITS, type SignalLimits } from './limits';
export type { TlsFiles } from './http-front';
