/** The pure membership core: no I/O, no clocks, no global randomness. */
export * from './effects';
export * from './initiator';
export * from './membership';
export * from './options';
export * from './peer-table';
export * from './random';
export * from './wire';
