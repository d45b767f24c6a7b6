import { describe, expect, it } from 'vitest';
import { detectLegacyEncoding, fixLegacyEncoding, tcvn3ToUnicode, unicodeToTcvn3, unicodeToVni, vniToUnicode } from './legacy-encoding.ts';

describe('TCVN3 (ABC)', () => {
  it('converts the mojibake of a real national title and issuer block', () => {
    expect(tcvn3ToUnicode('Céng hoµ x· héi chñ nghÜa ViÖt Nam')).toBe('Cộng hoà xã hội chủ nghĩa Việt Nam');
    expect(tcvn3ToUnicode('§éc lËp - Tù do - H¹nh phóc')).toBe('Độc lập - Tự do - Hạnh phúc');
    expect(tcvn3ToUnicode('Uû ban nh©n d©n tØnh BÕn Tre')).toBe('Uỷ ban nhân dân tỉnh Bến Tre');
    expect(tcvn3ToUnicode('Tr\u00adêng ®¹i häc, QuyÕt ®Þnh, v¨n b¶n, ®\u00adîc, ngµy 08 th¸ng 06 n¨m 2005')).toBe(
      'Trường đại học, Quyết định, văn bản, được, ngày 08 tháng 06 năm 2005',
    );
  });

  it('is detected and restores capitals of lines typed in capitals', () => {
    const text = unicodeToTcvn3('ỦY BAN NHÂN DÂN\nHUYỆN CHÂU THÀNH\nSố: 321/UBND-NC\nỦy ban nhân dân huyện đề nghị các cơ quan, đơn vị thực hiện.');
    const fixed = fixLegacyEncoding(text);
    expect(fixed.encoding).toBe('tcvn3');
    expect(fixed.text.split('\n')).toEqual([
      'ỦY BAN NHÂN DÂN',
      'HUYỆN CHÂU THÀNH',
      'SỐ: 321/UBND-NC',
      'Ủy ban nhân dân huyện đề nghị các cơ quan, đơn vị thực hiện.',
    ]);
  });
});

describe('VNI', () => {
  it('converts the mojibake of real VNI-Times text', () => {
    expect(vniToUnicode('Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam')).toBe('Cộng hòa xã hội chủ nghĩa Việt Nam');
    expect(vniToUnicode('Ñoäc laäp - Töï do - Haïnh phuùc')).toBe('Độc lập - Tự do - Hạnh phúc');
    expect(vniToUnicode('UÛY BAN NHAÂN DAÂN TÆNH')).toBe('ỦY BAN NHÂN DÂN TỈNH');
    expect(vniToUnicode('Tröôøng hoïc, Quyeát ñònh, Sôû Y teá')).toBe('Trường học, Quyết định, Sở Y tế');
  });

  it('round-trips and is detected', () => {
    const s = 'Kế hoạch tin học hóa công tác quản lý hành chính ngành y tế năm 2003 của Sở Y tế tỉnh An Giang';
    expect(vniToUnicode(unicodeToVni(s))).toBe(s);
    expect(detectLegacyEncoding(unicodeToVni(s))).toBe('vni');
  });
});

describe('detection', () => {
  it('leaves Unicode Vietnamese, English and French alone', () => {
    expect(detectLegacyEncoding('Ủy ban nhân dân tỉnh Bến Tre đề nghị các sở, ban, ngành thực hiện')).toBeNull();
    expect(detectLegacyEncoding('The delivery to the following recipient failed permanently')).toBeNull();
    expect(detectLegacyEncoding('Le délégué a été élu à l’unanimité après la réunion')).toBeNull();
  });
});

describe('detection counts in one pass', () => {
  /** The detection as first written (every regex over the whole sample): the reference. */
  function reference(text: string): 'tcvn3' | 'vni' | null {
    const sample = text.length > 20_000 ? text.slice(0, 20_000) : text;
    const unicodeHits = sample.match(/[\u1EA0-\u1EF9ơưăđƠƯĂĐ]/g)?.length ?? 0;
    const words = sample.split(/\s+/).filter((w) => w.length > 0);
    if (words.length === 0) return null;
    let tcvnWords = 0;
    for (const w of words) if (/[¡¢£¤¥¦§¨©ª«¬®µ¶·¸¹»¼½¾]/.test(w) && /[A-Za-z]/.test(w)) tcvnWords++;
    const vniHits = sample.match(/[aeouyAEOUY][ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]|[ôöÔÖ][ùøûõïÙØÛÕÏ]|[A-Za-z][ñÑòóæ]|[ñÑ][a-zA-Z]/g)?.length ?? 0;
    const enough = (hits: number) => hits >= 3 && hits >= words.length * 0.05 && hits > unicodeHits * 2;
    if (enough(tcvnWords) && tcvnWords * 2 >= vniHits) return 'tcvn3';
    if (enough(vniHits)) return 'vni';
    return null;
  }

  it('decides as the regex-by-regex detection on mixed and random text', () => {
    const pieces = [
      'Céng',
      'hoµ',
      'x·',
      'héi',
      'Vieät',
      'Nam',
      'ñoäc',
      'laäp',
      'Cộng',
      'hòa',
      'ĐỘC',
      'lập',
      'tự',
      'do',
      'a',
      'b',
      '®',
      'ñ',
      'à',
      'ô',
      '\u00a0',
      '\u3000',
      '\t',
    ];
    let seed = 20261203;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const texts = [
      '',
      '   ',
      unicodeToTcvn3('Ủy ban nhân dân tỉnh Bến Tre đề nghị các sở thực hiện'),
      unicodeToVni('Ủy ban nhân dân tỉnh Bến Tre đề nghị các sở thực hiện'),
      'Cộng hòa xã hội chủ nghĩa Việt Nam',
    ];
    for (let k = 0; k < 400; k++) {
      const n = 1 + Math.floor(random() * 40);
      texts.push(Array.from({ length: n }, () => pieces[Math.floor(random() * pieces.length)]).join(random() < 0.5 ? ' ' : '\u2002'));
    }
    for (const t of texts) expect(detectLegacyEncoding(t), JSON.stringify(t)).toBe(reference(t));
    // The texts reach every answer, so the comparison is not only of "no legacy encoding".
    expect(new Set(texts.map(reference))).toEqual(new Set(['tcvn3', 'vni', null]));
  });
});
