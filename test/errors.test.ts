import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CATALOGUE, SrvvError, DuisParseError, IngestInputError, StoreError, isSrvvError, type ErrorCode } from '../src/errors.js';

describe('error catalogue', () => {
  it('gives every code a message and an HTTP status', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      assert.match(code, /^[A-Z]+(_[A-Z0-9]+)+$/, code);
      assert.ok(entry.message.length > 3, code);
      assert.ok(entry.status >= 400 && entry.status < 600, code);
    }
  });
  it('prefixes codes by the class that raises them', () => {
    const prefixes: [new (code: ErrorCode, detail?: string) => SrvvError, string][] = [
      [DuisParseError, 'DUIS_'],
      [IngestInputError, 'INGEST_'],
      [StoreError, 'STORE_'],
    ];
    for (const [cls, prefix] of prefixes) {
      const code = Object.keys(ERROR_CATALOGUE).find((c) => c.startsWith(prefix)) as ErrorCode;
      const err = new cls(code, 'what went wrong');
      assert.equal(err.name, cls.name);
      assert.equal(err.code, code);
      assert.equal(err.statusCode, ERROR_CATALOGUE[code].status);
      assert.equal(err.detail, 'what went wrong');
      assert.ok(err.message.includes(ERROR_CATALOGUE[code].message));
      assert.ok(isSrvvError(err));
    }
    assert.equal(isSrvvError(new Error('x')), false);
  });
});
