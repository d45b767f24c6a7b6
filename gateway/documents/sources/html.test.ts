import { describe, expect, it } from 'vitest';
import { htmlToText } from './html.ts';

// Hostile inputs here are sized so that super-linear work would run for minutes: the suite's
// 30 s test time-out catches that, without asserting how fast this machine is (docs/testing.md).

describe('htmlToText', () => {
  it('puts every table cell and paragraph on its own line', () => {
    const html =
      '<table><tr><td><p>ỦY BAN NHÂN DÂN</p><p>TỈNH BẾN TRE</p></td><td>CỘNG HÒA XÃ HỘI</td></tr><tr><td>Số: 12/UBND-VX<br>V/v tăng cường</td><td>Bến Tre, ngày 1 tháng 2 năm 2024</td></tr></table>';
    expect(htmlToText(html).split('\n').filter(Boolean)).toEqual([
      'ỦY BAN NHÂN DÂN',
      'TỈNH BẾN TRE',
      'CỘNG HÒA XÃ HỘI',
      'Số: 12/UBND-VX',
      'V/v tăng cường',
      'Bến Tre, ngày 1 tháng 2 năm 2024',
    ]);
  });

  it('drops styles and comments and decodes entities', () => {
    expect(htmlToText('<style>p{x:1}</style><!-- c --><p>Ch&#7881; th&#x1ECB; &amp; Quy&ecirc;\u0301t&nbsp;&#273;&#7883;nh</p>')).toBe('Chỉ thị & Quyết định');
  });

  it('is linear on unterminated comments, tags and runs of spaces', () => {
    const hostile = ['<!--'.repeat(200_000), '<br'.repeat(200_000), '<script>'.repeat(100_000), '&nbsp;'.repeat(200_000) + 'x', '<p '.repeat(200_000)];
    for (const h of hostile) expect(typeof htmlToText(h)).toBe('string');
    expect(htmlToText('a < b <p>x</p><!-- open')).toBe('a < b\nx\n<!-- open');
  });
});
