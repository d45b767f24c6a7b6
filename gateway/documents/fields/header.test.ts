import { describe, expect, it } from 'vitest';
import { fieldConfidences } from '../confidence.ts';
import { emptyBlocks, type BlockLine } from '../layout/types.ts';
import { readBlocks } from './from-blocks.ts';
import { readNumber, readPlaceDate } from './header.ts';

const line = (text: string, stamped?: string[]): BlockLine => ({ text, breakBefore: false, ...(stamped ? { stamped } : {}) });
const motto = [line('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'), line('Độc lập - Tự do - Hạnh phúc')];

describe('place and date of the header', () => {
  it('keeps the month the signing tool stamped over the one typed in the template', () => {
    // qd-ubnd-laocai-1696.pdf: "ngày15 tháng 5̶4 năm 2026", the 15 and the 5 stamped, the 4 typed.
    const read = readPlaceDate([...motto, line('Lào Cai, ngày 15 tháng 5 4 năm 2026', ['15', '5'])], '');
    expect(read).toMatchObject({ place: 'Lào Cai', date: '2026-05-15' });
  });

  it('keeps a stamped day written after the typed one, too', () => {
    const read = readPlaceDate([...motto, line('Hà Nội, ngày 01 09 tháng 7 năm 2025', ['09'])], '');
    expect(read).toMatchObject({ place: 'Hà Nội', date: '2025-07-09' });
  });

  it('does not choose between two numbers when neither, or both, were stamped', () => {
    expect(readPlaceDate([...motto, line('Lào Cai, ngày 15 tháng 5 4 năm 2026')], '')?.date ?? null).toBeNull();
    expect(readPlaceDate([...motto, line('Lào Cai, ngày 15 tháng 5 4 năm 2026', ['15', '5', '4'])], '')?.date ?? null).toBeNull();
  });
});

describe('number line of the header', () => {
  const left = (...texts: string[]) => texts.map((text) => line(text));

  it('reads a notation broken after a hyphen on the next line, OCR look-alike Cyrillic capitals as Latin', () => {
    // A joint guidance of seven bodies (Trangsct/skill-sct, Huong-dan-lien-nganh-24-N2O.pdf, OCR layer).
    const read = readNumber(left('BỘ CÔNG AN', 'Số: 24 /HDLN-BCA-BQP-BYT-', 'ВСТ-ВТC-VKSNDTC-TANDTC'));
    expect(read?.notation?.notation).toBe('24/HDLN-BCA-BQP-BYT-BCT-BTC-VKSNDTC-TANDTC');
    expect(read?.cut).toBeUndefined();
  });

  it('says when the continuation could not be read, and never takes a V/v line for it', () => {
    const read = readNumber(left('SỞ NỘI VỤ', 'Số: 3183/SNV-', 'V/v góp ý dự thảo'));
    expect(read?.notation?.notation).toBe('3183/SNV');
    expect(read?.cut).toBe(true);
    expect(readNumber(left('SỞ NỘI VỤ', 'Số: 3183/SNV-TCBC'))?.cut).toBeUndefined();
  });
});

describe('confidence of a notation cut short', () => {
  it('is below the auto-register threshold, so a clerk sees it before it is booked', () => {
    const blocks = {
      ...emptyBlocks('layout'),
      headerLeft: [line('SỞ NỘI VỤ'), line('Số: 3183/SNV-')],
      headerRight: [...motto, line('Lâm Đồng, ngày 05 tháng 3 năm 2025')],
    };
    const read = readBlocks(blocks);
    expect(read.fields.notation).toBe('3183/SNV');
    expect(fieldConfidences(read, read.reasons).notation).toBeLessThan(0.8);
    const whole = readBlocks({ ...blocks, headerLeft: [line('SỞ NỘI VỤ'), line('Số: 3183/SNV-TCBC')] });
    expect(fieldConfidences(whole, whole.reasons).notation).toBeGreaterThanOrEqual(0.8);
  });
});
