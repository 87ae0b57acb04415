import 'reflect-metadata';
import { Codec, InvalidValueError } from './codecs';

/**
 * The `*.Options` convention: one class per module or platform concern, each field bound to one
 * environment variable by `@Env`, validated as a whole at boot. `loadOptions` collects every problem
 * before it fails, so an operator fixes a broken deployment in one round trip.
 */
export interface EnvBinding<T = unknown> {
  readonly property: string;
  readonly variable: string;
  readonly codec: Codec<T>;
  readonly description: string;
  readonly default?: T;
  /** Shown in the configuration table when the default is computed (e.g. "generated into DATA_DIR"). */
  readonly defaultText?: string;
  readonly required: boolean;
  readonly secret: boolean;
}

export interface OptionsSectionInfo {
  readonly section: string;
  readonly description: string;
}

export interface EnvironmentContext {
  readonly production: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export interface OptionsProblem {
  readonly variable?: string;
  readonly message: string;
}

/** Implemented by options classes with rules that span several fields: one problem per broken rule. */
export interface CrossFieldValidation {
  validate(context: EnvironmentContext): OptionsProblem[];
}

const BINDINGS = Symbol('options:bindings');
const SECTION = Symbol('options:section');

export function OptionsSection(section: string, description: string): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(SECTION, { section, description } satisfies OptionsSectionInfo, target);
  };
}

type EnvSettings<T> = {
  description: string;
  secret?: boolean;
  defaultText?: string;
} & ({ default: T; required?: never } | { required: true; default?: never } | { default?: undefined; required?: false });

export function Env<T>(variable: string, codec: Codec<T>, settings: EnvSettings<T>): PropertyDecorator {
  return (target, property) => {
    const owner = target.constructor;
    const bindings: EnvBinding[] = [...(Reflect.getOwnMetadata(BINDINGS, owner) ?? [])];
    bindings.push({
      property: String(property),
      variable,
      codec: codec as Codec<unknown>,
      description: settings.description,
      default: settings.default,
      defaultText: settings.defaultText,
      required: settings.required === true,
      secret: settings.secret === true,
    });
    Reflect.defineMetadata(BINDINGS, bindings, owner);
  };
}

export type OptionsClass<T = object> = new () => T;

export function envBindings(type: OptionsClass): readonly EnvBinding[] {
  return Reflect.getOwnMetadata(BINDINGS, type) ?? [];
}

export function sectionOf(type: OptionsClass): OptionsSectionInfo {
  const info: OptionsSectionInfo | undefined = Reflect.getOwnMetadata(SECTION, type);
  if (!info) throw new Error(`${type.name} is missing @OptionsSection`);
  return info;
}

export interface ConfigurationIssue {
  readonly section: string;
  readonly variable?: string;
  readonly message: string;
}

export class ConfigurationError extends Error {
  constructor(readonly issues: readonly ConfigurationIssue[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue.variable ? `${issue.variable}: ` : ''}${issue.message} [${issue.section}]`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NODE_ENV ?? '').trim() === 'production';
}

function isCrossFieldValidation(value: object): value is CrossFieldValidation {
  return typeof (value as Partial<CrossFieldValidation>).validate === 'function';
}

/** Binds and validates one options class; returns the instance and every issue found. */
export function bindOptions<T extends object>(type: OptionsClass<T>, env: NodeJS.ProcessEnv = process.env): { options: T; issues: ConfigurationIssue[] } {
  const { section } = sectionOf(type);
  const options = new type();
  const issues: ConfigurationIssue[] = [];
  for (const binding of envBindings(type)) {
    const raw = env[binding.variable];
    let value: unknown = binding.default;
    if (raw !== undefined && raw.trim() !== '') {
      try {
        value = binding.codec.parse(raw);
      } catch (error) {
        if (!(error instanceof InvalidValueError)) throw error;
        issues.push({ section, variable: binding.variable, message: error.message });
        continue;
      }
    } else if (binding.required) {
      issues.push({ section, variable: binding.variable, message: `is required (${binding.description})` });
      continue;
    }
    (options as Record<string, unknown>)[binding.property] = value;
  }
  if (issues.length === 0 && isCrossFieldValidation(options)) {
    for (const problem of options.validate({ production: isProduction(env), env })) {
      issues.push({ section, ...problem });
    }
  }
  return { options, issues };
}

export function loadOptions<T extends object>(type: OptionsClass<T>, env: NodeJS.ProcessEnv = process.env): T {
  const { options, issues } = bindOptions(type, env);
  if (issues.length > 0) throw new ConfigurationError(issues);
  return Object.freeze(options);
}

/** Validates several options classes together so every problem is reported at once. */
export function validateOptions(types: readonly OptionsClass[], env: NodeJS.ProcessEnv = process.env): void {
  const issues = [...new Set(types)].flatMap((type) => bindOptions(type, env).issues);
  if (issues.length > 0) throw new ConfigurationError(issues);
}
