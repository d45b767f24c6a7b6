/** Tokens the mutators insert (fuzz/mutate/): numbers and bytes. */

/** Numbers that make counts, lengths and offsets lie. */
export const NUMBERS = [
  '0',
  '1',
  '-1',
  '2',
  '7',
  '255',
  '256',
  '65535',
  '65536',
  '2147483647',
  '2147483648',
  '-2147483648',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740993',
  '99999999999999999999',
  '1e308',
  '1e-9',
  '0.5',
  '-0',
  '00000000000000000001',
  '0x10',
  'NaN',
  '',
];

export const INTERESTING_BYTES = [
  0x00, 0x01, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x25, 0x28, 0x29, 0x2d, 0x2e, 0x2f, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x5b, 0x5d, 0x5c, 0x7f, 0x80, 0xc0, 0xc3, 0xe1,
  0xef, 0xfe, 0xff,
];
