/**
 * The Vietnamese syllable inventory (docs/extraction.md, "Damaged text"): is a word written as a
 * Vietnamese syllable can be? A syllable is an onset (none, or one of 27 consonant spellings), a
 * rhyme from the closed list of rhymes Vietnamese writes, and at most one tone mark — sắc or nặng
 * only when the rhyme ends in a stop (c, ch, p, t). Spelling rules are those of the standard
 * orthography: "iê…" needs an onset (without one it is written "yê…"), k/gh/ngh only before
 * i, e, ê, y and c/g/ng never there, qu never before u or ư.
 *
 * Stricter than OCR's quick check (ocr/classify.ts `misread`, any one-to-three vowels between an
 * onset and a coda): "iệp" — "Hiệp" whose capital a PDF font subset lost — passes that one, not
 * this one.
 */

const TONES = /[\u0300\u0301\u0303\u0309\u0323]/gu;
const ACUTE = '\u0301';
const DOT_BELOW = '\u0323';

const ONSETS = [
  'ngh',
  'ng',
  'nh',
  'ch',
  'gh',
  'gi',
  'kh',
  'ph',
  'qu',
  'th',
  'tr',
  'b',
  'c',
  'd',
  'đ',
  'g',
  'h',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'x',
  '',
];

/** Every rhyme of the standard orthography, without tone. */
const RHYMES = new Set(
  [
    'a ac ach ai am an ang anh ao ap at au ay',
    'ăc ăm ăn ăng ăp ăt',
    'âc âm ân âng âp ât âu ây',
    'e ec em en eng eo ep et',
    'ê êch êm ên ênh êp êt êu',
    'i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu',
    'o oc oi om on ong op ot oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet ooc oong',
    'ô ôc ôi ôm ôn ông ôp ôt',
    'ơ ơi ơm ơn ơp ơt',
    'u uc ui um un ung up ut ua uân uâng uât uây uê uêch uênh uy uya uych uyên uyêt uyn uynh uyp uyt uyu uôc uôi uôm uôn uông uôt uơ',
    'ư ưc ưi ưm ưn ưng ưt ưu ưa ươc ươi ươm ươn ương ươp ươt ươu',
    'y yêm yên yêt yêu',
  ]
    .join(' ')
    .split(' '),
);

const FRONT = /^[ieêy]/u;
const STOP = /(c|ch|p|t)$/u;

function rhymeFits(onset: string, rhyme: string): boolean {
  if (!RHYMES.has(rhyme)) return false;
  if (rhyme.startsWith('iê') && onset === '') return false;
  if (rhyme.startsWith('yê') && onset !== '' && onset !== 'qu') return false;
  if ((onset === 'k' || onset === 'gh' || onset === 'ngh') && !FRONT.test(rhyme)) return false;
  if ((onset === 'c' || onset === 'g' || onset === 'ng') && /^[eê]/u.test(rhyme)) return false;
  if (onset === 'c' && FRONT.test(rhyme)) return false;
  if (onset === 'qu' && /^[uư]/u.test(rhyme)) return false;
  return true;
}

/**
 * Whether a word (letters only, any case) is written as a Vietnamese syllable. Tone marks may sit
 * on either vowel ("hoà" and "hòa" both pass).
 */
export function isVietnameseSyllable(word: string): boolean {
  const nfd = word.normalize('NFC').toLowerCase().normalize('NFD');
  const tones = nfd.match(TONES) ?? [];
  if (tones.length > 1) return false;
  const base = nfd.replace(TONES, '').normalize('NFC');
  if (!/^[a-zđăâêôơư]+$/u.test(base)) return false;
  for (const onset of ONSETS) {
    if (!base.startsWith(onset)) continue;
    const rhyme = base.slice(onset.length);
    // "gì", "gìn", "giếng": the i of gi is also the rhyme's first letter.
    const fits = rhyme === '' ? onset === 'gi' : rhymeFits(onset, rhyme) || (onset === 'gi' && rhymeFits('gi', `i${rhyme}`));
    if (!fits) continue;
    if (tones.length === 1 && STOP.test(rhyme) && tones[0] !== ACUTE && tones[0] !== DOT_BELOW) continue;
    return true;
  }
  return false;
}
