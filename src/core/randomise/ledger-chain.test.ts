import { describe, expect, it } from 'vitest';
import { canonicalJson, genesisHash, keyId, rowHash, verifyChain } from './ledger.js';
import { guessableSeed, seedWarning } from './seed-strength.js';

const KEY = new TextEncoder().encode('a-key-of-sixteen-bytes!');

describe('ledger chain', () => {
  it('plain and keyed hashes equal OpenSSL on the same bytes', () => {
    // printf 'abc\n["1","P1","control"]' | openssl dgst -sha256
    expect(rowHash('abc', ['1', 'P1', 'control'])).toBe(
      '3f37b66f57247129a0a65c82128828c6567deac2fd21ab010d69157ec7e943b5',
    );
    // printf 'abc\n["1","P1","control"]' | openssl dgst -sha256 -hmac 'a-key-of-sixteen-bytes!'
    expect(rowHash('abc', ['1', 'P1', 'control'], KEY)).toBe(
      '6e697b536ac7835ca8d9958f986c88d50a701c8830aa0d94124602f0de791235',
    );
    // printf 'pilot-eval ledger v1 hmac-sha256\n{"a":1}' | openssl dgst -sha256 -hmac 'a-key-of-sixteen-bytes!'
    expect(genesisHash(canonicalJson({ a: 1 }), KEY)).toBe(
      'a2adabd95cea0016d3dbbaa2624216394c27339f50d9461fa9827b724efa04eb',
    );
  });
  it('a chain recomputed without the key (or with another) does not verify under the key', () => {
    const rows = [
      ['1', 'P1', 'control'],
      ['2', 'P2', 'treatment'],
    ];
    const chain = (key: Uint8Array | null) => {
      let prev = genesisHash('{}', key);
      return rows.map((r) => (prev = rowHash(prev, r, key)));
    };
    expect(verifyChain(genesisHash('{}', KEY), rows, chain(KEY), KEY)).toBeNull();
    expect(verifyChain(genesisHash('{}', KEY), rows, chain(null), KEY)?.index).toBe(0);
    const other = new TextEncoder().encode('another-key-of-16-bytes');
    expect(verifyChain(genesisHash('{}', KEY), rows, chain(other), KEY)?.index).toBe(0);
    expect(keyId(KEY)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyId(other)).not.toBe(keyId(KEY));
  });
});

describe('guessable seeds', () => {
  it('dates in three orders and small numbers are guessable; drawn seeds are not', () => {
    for (const s of [20240117, 17012024, 12312023, 19991231, 20000229, 0, 1, 999_999, -123, -20240117])
      expect(guessableSeed(s), String(s)).not.toBeNull();
    for (const s of [83920471, 1_000_000, 20241301, 20230229, 99999999, 640193287, 2 ** 47 - 1])
      expect(guessableSeed(s), String(s)).toBeNull();
    expect(guessableSeed(20240117)).toContain('looks like a date');
    expect(guessableSeed(12345)).toContain('below 1,000,000');
    expect(seedWarning(20240117)).toContain('--seed random');
    expect(seedWarning(83920471)).toBeNull();
  });
});
