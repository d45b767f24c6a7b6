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
