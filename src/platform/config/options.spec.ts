import { bool, bytes, duration, int, list, oneOf, url } from './codecs';
import { bindOptions, ConfigurationError, CrossFieldValidation, Env, loadOptions, OptionsProblem, OptionsSection, validateOptions } from './options';

@OptionsSection('Sample', 'options used by this spec')
class SampleOptions implements CrossFieldValidation {
  @Env('SAMPLE_PORT', int({ min: 1, max: 65535 }), { default: 8080, description: 'a port' })
  readonly port: number;

  @Env('SAMPLE_TOKEN', duration(), { description: 'a duration' })
  readonly timeoutMs?: number;

  @Env('SAMPLE_KEY', url({ protocols: ['https'] }), { required: true, secret: true, description: 'a required secret url' })
  readonly key: string;

  @Env('SAMPLE_FLAGS', list(oneOf(['a', 'b'] as const)), { default: ['a'], description: 'flags' })
  readonly flags: Array<'a' | 'b'>;

  validate({ production }: { production: boolean }): OptionsProblem[] {
    return production && this.port === 8080 ? [{ variable: 'SAMPLE_PORT', message: 'must not be the default in production' }] : [];
  }
}

@OptionsSection('Other', 'second class')
class OtherOptions {
  @Env('OTHER_ENABLED', bool(), { default: false, description: 'a flag' })
  readonly enabled: boolean;
}

describe('options binding', () => {
  it('binds typed values and applies defaults', () => {
    const options = loadOptions(SampleOptions, { SAMPLE_KEY: 'https://vault.example/key', SAMPLE_TOKEN: '1.5s', SAMPLE_FLAGS: 'a, b' });
    expect(options).toMatchObject({ port: 8080, timeoutMs: 1500, key: 'https://vault.example/key', flags: ['a', 'b'] });
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('reports every problem at once, naming the variable, without echoing values', () => {
    const env = { SAMPLE_PORT: '70000', SAMPLE_TOKEN: 'soon', SAMPLE_FLAGS: 'a,c', OTHER_ENABLED: 'maybe' };
    let error: unknown;
    try {
      validateOptions([SampleOptions, OtherOptions], env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const issues = (error as ConfigurationError).issues.map((issue) => `${issue.variable}: ${issue.message}`);
    expect(issues).toEqual([
      'SAMPLE_PORT: must be at most 65535',
      'SAMPLE_TOKEN: must be a duration such as 500ms, 30s, 5m, 2h or a number of milliseconds',
      'SAMPLE_KEY: is required (a required secret url)',
      'SAMPLE_FLAGS: item 2 must be one of: a, b',
      'OTHER_ENABLED: must be true or false',
    ]);
    expect((error as Error).message).not.toContain('70000');
  });

  it('runs cross-field rules with the environment context', () => {
    const base = { SAMPLE_KEY: 'https://vault.example/key' };
    expect(bindOptions(SampleOptions, base).issues).toEqual([]);
    expect(bindOptions(SampleOptions, { ...base, NODE_ENV: 'production' }).issues).toEqual([
      { section: 'Sample', variable: 'SAMPLE_PORT', message: 'must not be the default in production' },
    ]);
  });

  it('treats an empty value as unset', () => {
    expect(loadOptions(OtherOptions, { OTHER_ENABLED: '  ' }).enabled).toBe(false);
  });
});

describe('codecs', () => {
  it.each([
    ['250', 250],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('duration %s = %d ms', (raw, ms) => expect(duration().parse(raw)).toBe(ms));

  it.each([
    ['1024', 1024],
    ['5MiB', 5 * 1024 * 1024],
    ['512KiB', 512 * 1024],
    ['2MB', 2_000_000],
  ])('bytes %s = %d', (raw, value) => expect(bytes().parse(raw)).toBe(value));

  it('formats defaults back for the documentation', () => {
    expect(duration().format!(25_000)).toBe('25s');
    expect(bytes().format!(5 * 1024 * 1024)).toBe('5MiB');
    expect(list(duration()).format!([0, 5_000, 300_000])).toBe('0ms,5s,5m');
  });

  it('rejects URLs with a scheme outside the allowed ones', () => {
    expect(() => url({ protocols: ['https'] }).parse('ftp://example.com')).toThrow('must use one of the schemes: https');
    expect(() => url({ protocols: ['https'] }).parse('not a url')).toThrow('must be an absolute URL');
  });
});
