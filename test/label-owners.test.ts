import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig } from '../src/core/config.js';
import { countsDrainedBy, LABEL_OWNERS, ownerOf, revertibleLabels } from '../src/core/label-owners.js';
import { allLabelNames, Label } from '../src/core/labels.js';

const declared = (
  parse(readFileSync(path.resolve(import.meta.dirname, '../defaults/.github/labels.yml'), 'utf8')) as {
    name: string;
  }[]
).map((l) => l.name);

describe('label-ownership table', () => {
  it('every label declared in labels.yml has exactly one entry with an owner', () => {
    const missing = declared.filter((name) => !LABEL_OWNERS.some((e) => e.label === name));
    expect(missing, `labels with no owner: ${missing.join(', ')}`).toEqual([]);
    for (const entry of LABEL_OWNERS) {
      expect(entry.movedBy.length, `${entry.label} has nobody to move it on`).toBeGreaterThan(0);
      expect(LABEL_OWNERS.filter((e) => e.label === entry.label)).toHaveLength(1);
    }
  });

  it('the table names only declared labels, and every code label is declared', () => {
    expect(LABEL_OWNERS.map((e) => e.label).filter((l) => !declared.includes(l))).toEqual([]);
    expect([...allLabelNames].sort()).toEqual([...declared].sort());
  });

  it('no state is a dead end: it is drained by a role, released, reverted, shown to a person, or a modifier', () => {
    for (const entry of LABEL_OWNERS) {
      const person = entry.movedBy.some((a) => a.kind === 'person');
      if (entry.recovery.kind === 'ask-person') expect(person, entry.label).toBe(true);
      if (entry.recovery.kind === 'release' || entry.recovery.kind === 'revert') {
        expect(entry.orphanAfter(defaultConfig), `${entry.label} needs a threshold`).toBeGreaterThan(0);
      }
    }
  });

  it('crashed worker labels go back to the state before them', () => {
    expect(revertibleLabels()).toEqual([
      { label: Label.curating, to: Label.triage, on: 'issue' },
      { label: Label.reviewing, to: Label.reviewRequested, on: 'pr' },
      { label: Label.treating, to: Label.changesRequested, on: 'pr' },
    ]);
    expect(ownerOf(Label.building).orphanAfter({ ...defaultConfig, stale_building: 42 })).toBe(42);
  });

  it('the roles the daemon starts read their work from the table', () => {
    expect(countsDrainedBy('doctor')).toContain('changes_requested');
    expect(countsDrainedBy('champion')).toEqual(expect.arrayContaining(['curated', 'ready_to_merge']));
    expect(countsDrainedBy('curator')).toEqual(['triage']);
  });
});
