// The outputs of the real Kopf 1.44.6 that the model tests compare against: test/model/fixtures/kopf-1.44.6.json,
// produced by test/model/fixtures/generate-kopf-fixtures.py (see its docstring to re-generate). No Python at run time.
import { readFileSync } from 'node:fs';
import type { Body, JsonObject } from '../../src/model/body.ts';

type Item = [string, string[], unknown, unknown];

export interface KopfFixtures {
  blake2b: { data: string; size: number; key: string; hex: string }[];
  keys: { prefix: string; id: string; v1: string; v2: string; keys: string[]; suffix: string }[];
  rskeys: string[];
  essences: {
    name: string;
    body: Body;
    extra: string[];
    prefix: string;
    essence: JsonObject;
    encoded: string;
    patch: JsonObject;
  }[];
  diffs: { a: unknown; b: unknown; diff: Item[] }[];
  reductions: { diff: Item[]; path: string[]; reduced: Item[] }[];
  records: { new: string; retry: string; success: string; failure: string };
  isoformat: { iso: string; epoch_us: number }[];
  storage_patch: JsonObject;
  storage_patch_custom: JsonObject;
  fetch: { annotations_win: unknown; status_fallback: unknown };
  namespaces: { pattern: string; name: string; match: boolean }[];
}

export const kopf = JSON.parse(
  readFileSync(new URL('./fixtures/kopf-1.44.6.json', import.meta.url), 'utf8'),
) as KopfFixtures;
