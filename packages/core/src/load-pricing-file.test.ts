import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadPricingFile, loadPricingFileSync, parsePricingFile } from './load-pricing-file.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./__fixtures__/pricing/${name}`, import.meta.url));

describe('loadPricingFile', () => {
  it('loads models and provider prices on top of the defaults', async () => {
    const table = await loadPricingFile(fixture('valid.json'));
    expect(table.cost('my-local-model', { inputTokens: 2_000_000, cacheReadTokens: 1_000_000, outputTokens: 1_000_000 })).toEqual({
      known: true,
      usd: 1 + 0.1 + 2,
      model: 'my-local-model',
    });
    expect(table.price('gpt-4o')).toEqual({ input: 2, output: 8 });
    expect(table.price('gpt-4o-mini', 'azure')).toEqual({ input: 0.165, output: 0.66 });
    expect(table.price('claude-sonnet-4-5')).toBeDefined();
    expect(loadPricingFileSync(fixture('valid.json')).price('my-local-model')).toEqual({ input: 1, output: 2, cacheRead: 0.1, cacheWrite: 1.25 });
  });

  it('names the file and the field of a bad price', async () => {
    const path = fixture('bad-field.json');
    const error = await loadPricingFile(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).source).toBe(path);
    expect((error as ConfigError).field).toBe('models.my-model.output');
    expect((error as ConfigError).message).toContain(path);
    expect((error as ConfigError).message).toContain('models.my-model.output');
    expect(() => loadPricingFileSync(fixture('unknown-field.json'))).toThrow('models.my-model.cached: unknown field');
  });

  it('reports a file that is missing or not JSON', async () => {
    await expect(loadPricingFile(fixture('missing.json'))).rejects.toThrow(/missing\.json: \(file\): cannot read/);
    expect(() => loadPricingFileSync(fixture('not-json.json'))).toThrow(/not-json\.json: \(file\): not valid JSON/);
  });

  it('rejects unknown top-level fields and bad shapes', () => {
    expect(() => parsePricingFile('{"model":{}}', 'p.json')).toThrow('p.json: model: unknown field');
    expect(() => parsePricingFile('[]', 'p.json')).toThrow('p.json: (root)');
    expect(() => parsePricingFile('{"providers":[]}', 'p.json')).toThrow('p.json: providers: must be an object');
    expect(() => parsePricingFile('{"includeDefaults":"no"}', 'p.json')).toThrow('p.json: includeDefaults');
  });

  it('can start from an empty table', () => {
    const table = parsePricingFile('{"includeDefaults":false,"models":{"m":{"input":1,"output":1}}}', 'inline');
    expect(table.models()).toEqual(['m']);
    expect(table.cost('gpt-4o', {}).known).toBe(false);
  });
});
