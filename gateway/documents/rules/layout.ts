/** Line classifiers shared by the rules: what a line of the document layout is. */
import { letterWords } from '../text.ts';

/**
 * "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and "Độc lập - Tự do - Hạnh phúc", whole or split in two; and
 * "ĐẢNG CỘNG SẢN VIỆT NAM", which stands in its place on Party documents (layout/header.ts).
 */
export function isNationalTitle(folded: string): boolean {
  const f = letterWords(folded);
  return (
    f.startsWith('cong hoa xa hoi') ||
    f === 'chu nghia viet nam' ||
    f.startsWith('doc lap tu do') ||
    f === 'dang cong san viet nam' ||
    f === 'hanh phuc' ||
    f === 'cong hoa' ||
    f === 'viet nam' ||
    f === 'nam'
  );
}

/** Lines copied from web pages around a document (seed 000): never part of the document. */
const WEB_NOISE = [
  /^tu khoa\b/,
  /^dang nhap\b/,
  /^dang tai van ban/,
  /^ban chua dang nhap/,
  /^vi chua dang nhap/,
  /^ban chua xem duoc/,
  /^neu chua la thanh vien/,
  /^van ban nay chua cap nhat/,
  /^dmca\b/,
  /^ip:/,
  /^hay de chung toi/,
  /^luot xem/,
  /^danh gia bai viet/,
  /^cac tin da dua/,
  /^lien ket website/,
  /^google bookmarks/,
  /^ban in\b/,
  /^quay lai\b/,
];

export function isWebNoise(folded: string): boolean {
  return WEB_NOISE.some((re) => re.test(folded));
}

/** Body paragraphs start like this; a summary never continues into them. */
export function isBodyOpener(folded: string): boolean {
  return /^(can cu|thuc hien|kinh gui|theo de nghi|xet de nghi|trong thoi gian|de trien khai|nham |dieu \d|chuong [ivx\d]|phan [ivx\d]|muc \d|[ivx]+\.|\d+\.|[a-dđ]\))/.test(
    folded,
  );
}

/**
 * A line that carries on the sentence above instead of opening a paragraph: it begins with a
 * lower-case word ("thực hiện an toàn đưa kho", the second line of a "V/v phúc đáp đề nghị hướng
 * dẫn" summary). Paragraphs of a document begin with a capital; "a)", "b)" items are list items.
 */
export function continuesSentence(line: string): boolean {
  const t = line.trimStart();
  return /^\p{Ll}/u.test(t) && !/^[a-zđ]\s*\)/u.test(t);
}

/** "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …" and similar lines that open the preamble of a decision. */
export function isPreambleAuthority(folded: string): boolean {
  return (
    /^(chu tich|giam doc|bo truong|thu tuong|chanh van phong|truong ban|hieu truong|cuc truong|tong cuc truong)\b/.test(folded) ||
    /^(uy ban nhan dan|ubnd|hoi dong nhan dan)( (tinh|thanh pho|huyen|quan|thi xa|xa|phuong)\b.*)?$/.test(folded)
  );
}

/** Authority lines of a signer block: "TM.", "KT.", "TL.", "TUQ.", "Q." (folded). */
export const AUTHORITY = /^(t\/m(?=[\s.])|tm(?=\s*\.)|kt(?=\s*\.)|tl(?=\s*\.)|tuq(?=\s*\.)|q(?=\s*\.))\s*\.?\s*(?=\S)/;

/** A person's name: 2–6 words, each starting with a capital, letters only. */
export function isPersonName(line: string): boolean {
  const words = line.trim().split(/\s+/);
  if (words.length < 2 || words.length > 6) return false;
  const allUpper = line === line.toUpperCase();
  return words.every((w) => /^\p{Lu}[\p{Ll}\p{M}]*$/u.test(w) || (allUpper && /^\p{Lu}+$/u.test(w)));
}

/** "(Đã ký)", "(ký, đóng dấu)", digital-signature stamps: noise inside a signer block. */
export function isSignatureNoise(folded: string): boolean {
  return /^\(?\s*(da ky|ky ten|ky,|ky va|ky so|chu ky)/.test(folded) || /^(nguoi ky|co quan|thoi gian ky|email):/.test(folded);
}
