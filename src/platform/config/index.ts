export * from './codecs';
export * from './options';
export * from './options.provider';
export * from './runtime.options';
export * from './observability.options';
