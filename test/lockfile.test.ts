import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

// `npm ci` refuses a lock whose root entry disagrees with package.json; this says which entry, and
// also catches a lock that lost another platform's optional packages (then `npm ci` fails elsewhere).
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));

describe('package-lock.json', () => {
  test('its root entry names exactly the dependencies package.json names', () => {
    const root = lock.packages[''];
    expect(root.dependencies ?? {}).toEqual(pkg.dependencies ?? {});
    expect(root.devDependencies ?? {}).toEqual(pkg.devDependencies ?? {});
  });

  test('every optional platform package a locked package names is locked too', () => {
    const missing: string[] = [];
    for (const [where, entry] of Object.entries<{ optionalDependencies?: Record<string, string> }>(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        const nested = `${where ? `${where}/` : ''}node_modules/${name}`;
        if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`]) missing.push(`${name} (for ${where})`);
      }
    }
    expect(missing).toEqual([]);
  });
});
