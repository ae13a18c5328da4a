/**
 * Every bound of the signaling server in one place: defaults, and the check that turns options into a complete,
 * valid set. The defaults are meant never to be hit by a household behind one address (tabs, a few Node peers)
 * and to hold a hostile client to a small, fixed share of the server. signal/README.md lists what a client sees
 * when it hits each one.
 */

/** The server's limits; `SignalServerOptions` takes any subset. Times in milliseconds, sizes in bytes. */
export interface SignalLimits {
  /** Largest frame (ws maxPayload). A bigger one is cut by ws with 1009. */
  maxFrameBytes: number;
  /** Deepest nesting of arrays/objects in a frame, counted on the text before parsing. */
  maxJsonDepth: number;
  /** Fragments one message may arrive in (ws maxFragments; more: 1008). Browsers send one. */
  maxFragmentsPerMessage: number;
  /** How long a message (a frame or a fragmented message) may stay unfinished before 4010 `message-timeout`. */
  messageTimeoutMs: number;
  /** Bytes the server may hold unsent for one socket; past it the receiver is closed with 4009 `slow-reader`. */
  maxBufferedBytesPerSocket: number;
  /** Time from the upgrade to a valid hello (4001 `hello-timeout`). */
  helloTimeoutMs: number;
  /** Ping period; a socket that did not answer the previous ping is cut. */
  heartbeatIntervalMs: number;
  /** How long a closing socket may take to answer the close frame before it is cut (ws closeTimeout). */
  closeGraceMs: number;
  /** Time a TCP connection has to send a complete upgrade request (headers and request time-out, idle time-out). */
  upgradeTimeoutMs: number;
  /** Open WebSockets in total (4005 `server-full`). */
  maxSockets: number;
  /** Open WebSockets of one address (4008 `address-limit`). */
  maxSocketsPerAddress: number;
  /** TCP connections not upgraded yet, in total; more are cut at once. */
  maxPendingConnections: number;
  /** TCP connections of one address not upgraded yet; more are cut at once. */
  maxPendingPerAddress: number;
  /** Rooms alive at once (4005 `server-full`). */
  maxRooms: number;
  /** Rooms one address has members in (4008 `address-limit`). */
  maxRoomsPerAddress: number;
  /** Members per room, introducers and guests (4004 `room-full`). */
  maxMembersPerRoom: number;
  /** Introducers kept per room; later members are guests with a lease. */
  maxIntroducersPerRoom: number;
  /**
   * Introducers one address may hold in a room while members of other addresses wait as guests. Alone in a room,
   * an address may fill the pool; a newcomer of another address then takes a slot from the address above its share.
   */
  maxIntroducersPerAddress: number;
  /** After this long an introducer gives its slot to a waiting guest (and becomes a guest with a lease). */
  introducerTermMs: number;
  /** How long a guest stays connected (4007 `lease-expired`). */
  guestLeaseMs: number;
  /** Ids per `welcome` / `peers` answer. */
  introductions: number;
  /** Refused (rate-limited) messages tolerated before 4006 `rate-limited`. */
  maxRateViolations: number;
  /**
   * Bytes per second all sockets of one address may send together, each message and control frame counted as
   * 1 KiB more than its size (burst: 4 seconds' worth). Beyond, the address's sockets are read more slowly (not
   * refused: TCP back-pressure). Bounds what one client costs the server in parsing and relaying.
   */
  maxBytesPerSecPerAddress: number;
  /** New TCP connections per second of one address (burst: `maxSocketsPerAddress` + 16); more are cut at once. */
  maxConnectsPerSecPerAddress: number;
}

/** Longest time accepted for any timer: setTimeout's limit (about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/** The defaults (see signal/README.md, *Limits*). */
export const DEFAULT_LIMITS: Readonly<SignalLimits> = Object.freeze({
  maxFrameBytes: 64 * 1024,
  maxJsonDepth: 16,
  maxFragmentsPerMessage: 8,
  messageTimeoutMs: 10_000,
  maxBufferedBytesPerSocket: 512 * 1024,
  helloTimeoutMs: 10_000,
  heartbeatIntervalMs: 30_000,
  closeGraceMs: 2_000,
  upgradeTimeoutMs: 5_000,
  maxSockets: 4096,
  maxSocketsPerAddress: 64,
  maxPendingConnections: 256,
  maxPendingPerAddress: 64,
  maxRooms: 1024,
  maxRoomsPerAddress: 16,
  maxMembersPerRoom: 256,
  maxIntroducersPerRoom: 8,
  maxIntroducersPerAddress: 2,
  introducerTermMs: 600_000,
  guestLeaseMs: 60_000,
  introductions: 4,
  maxRateViolations: 20,
  maxBytesPerSecPerAddress: 256 * 1024,
  maxConnectsPerSecPerAddress: 10,
});

/** Largest value accepted per limit (the smallest is 1 for all). Timers are capped by setTimeout's range. */
const MAX_VALUE: Record<keyof SignalLimits, number> = {
  maxFrameBytes: 16 * 1024 * 1024,
  maxJsonDepth: 1024,
  maxFragmentsPerMessage: 16 * 1024,
  messageTimeoutMs: MAX_TIMER_MS,
  maxBufferedBytesPerSocket: 1024 * 1024 * 1024,
  helloTimeoutMs: MAX_TIMER_MS,
  heartbeatIntervalMs: MAX_TIMER_MS,
  closeGraceMs: MAX_TIMER_MS,
  upgradeTimeoutMs: MAX_TIMER_MS,
  maxSockets: 1_000_000,
  maxSocketsPerAddress: 1_000_000,
  maxPendingConnections: 1_000_000,
  maxPendingPerAddress: 1_000_000,
  maxRooms: 1_000_000,
  maxRoomsPerAddress: 1_000_000,
  maxMembersPerRoom: 1_000_000,
  maxIntroducersPerRoom: 65_535,
  maxIntroducersPerAddress: 65_535,
  introducerTermMs: MAX_TIMER_MS,
  guestLeaseMs: MAX_TIMER_MS,
  introductions: 1024,
  maxRateViolations: 1_000_000,
  maxBytesPerSecPerAddress: 1024 * 1024 * 1024,
  maxConnectsPerSecPerAddress: 1_000_000,
};

/** The names of all limits, for parsers and docs. */
export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as Array<keyof SignalLimits>;

/**
 * Fills in defaults and checks every limit: an integer in 1..max. Throws a RangeError naming the bad one, since
 * a NaN or zero cap would silently refuse everyone or nobody, and a zero timer would fire at once.
 */
export function resolveLimits(options: Partial<SignalLimits>): SignalLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const name of LIMIT_NAMES) {
    const value = options[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1 || value > MAX_VALUE[name]) {
      throw new RangeError(`${name} must be an integer in 1..${MAX_VALUE[name]}, got ${String(value)}`);
    }
    limits[name] = value;
  }
  return limits;
}
