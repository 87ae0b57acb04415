import { Provider } from '@nestjs/common';
import { loadOptions, OptionsClass } from './options';

/** Registers an options class as an injectable provider, bound from `process.env` when the module starts. */
export function provideOptions<T extends object>(type: OptionsClass<T>): Provider<T> {
  return { provide: type, useFactory: () => loadOptions(type) };
}
