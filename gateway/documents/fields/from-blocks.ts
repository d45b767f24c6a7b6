/**
 * The metadata read from the bands of a laid-out document (layout/bands.ts): every field from the
 * block Decree 30 puts it in, nothing from elsewhere. A number that is not in the header band is
 * not looked for in the body: the field stays empty and the document goes to a clerk.
 */
import { sentenceCase } from '../casing.ts';
import { docFromLines } from '../prepare.ts';
import { foldSameLength } from '../text.ts';
import type { Blocks, BlockLine } from '../layout/types.ts';
import { findDeadline } from '../rules/deadline.ts';
import { completeIssuer } from '../rules/issuer.ts';
import { findMarks } from '../rules/marks.ts';
import { readIssuer, readNumber, readPlaceDate } from './header.ts';
import { readRecipientsBlock, readSignerBlock } from './closing.ts';
import { localityFromPlace, resolveType, type FieldName, type Provenance, type Read } from './common.ts';
import { readTitleBlock, readVv } from './title.ts';

const texts = (ls: BlockLine[]) => ls.map((l) => l.text);

/** The kinds of body an issuer's name begins with (state, Party, mass organisations, enterprises). */
const BODY_KIND =
  /^(uy ban|hoi dong|so|bo|cuc|tong cuc|chi cuc|vu|ban|phong|van phong|trung tam|vien|truong|cong an|thanh tra|chinh phu|thu tuong|chu tich|quoc hoi|hiep hoi|hoi|lien doan|lien hiep|doan|bch|dang uy|tinh uy|thanh uy|huyen uy|mat tran|toa an|kiem toan|kho bac|bao hiem|dai|bo chi huy|bo tu lenh|ngan hang|cong ty|tong cong ty|tap doan|benh vien|hoc vien)\b/;

export function readBlocks(blocks: Blocks): Read {
  const reasons: string[] = [];
  const provenance: Partial<Record<FieldName, Provenance>> = {};
  const found = <T>(name: FieldName, value: T): T => {
    if (value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0)) provenance[name] = blocks.from;
    return value;
  };

  const inLeft = readNumber(blocks.headerLeft);
  const number = inLeft ?? readNumber(blocks.headerRight);
  const numberAt = inLeft?.index ?? -1;
  let notation = number?.notation ?? null;
  const numberMissing = !notation || notation.number === null;
  if (number && numberMissing)
    reasons.push('the number after "Số:" is blank (it is stamped when the document is issued) and could not be read: left empty for a clerk');
  else if (!number) reasons.push('no "Số:" line in the header band: number left empty for a clerk');
  if (number?.cut) reasons.push('the notation ends in a hyphen whose continuation could not be read: it may be cut short');
  // A notation without its number is not the document's identity: the clerk fills it in.
  if (numberMissing) notation = null;

  const placeDate = readPlaceDate(blocks.headerRight, number?.rest ?? '');
  if (placeDate?.invalid) reasons.push('the date of promulgation is not a calendar date');
  const title = readTitleBlock(blocks.title);
  const summary = title.summary ?? readVv(blocks.headerLeft, numberAt);
  const typeNotation = number?.notation ?? null;
  const type = resolveType(title.type, typeNotation, summary, {}, reasons);

  let issuer = readIssuer(blocks.headerLeft, numberAt);
  found('issuer', issuer);
  // "Tài chính" for "SỞ TÀI CHÍNH" whose first letters the text layer lost: read, but not relied on.
  if (issuer && !BODY_KIND.test(foldSameLength(issuer))) reasons.push(`the issuer "${issuer}" does not begin with the name of a kind of body`);
  if (issuer) {
    const completed = completeIssuer(issuer, localityFromPlace(placeDate?.place ?? null));
    if (completed !== issuer) {
      reasons.push('locality of the issuer completed from the place or website attributes');
      provenance.issuer = 'completed';
    }
    issuer = completed;
  }
  const signer = readSignerBlock(blocks.closingRight);
  const recipients = readRecipientsBlock(blocks.closingLeft);
  const head = docFromLines([...texts(blocks.headerLeft), ...texts(blocks.headerRight), ...texts(blocks.title)]);
  const marks = findMarks(head, head.lines.length);
  const issuedDate = placeDate?.date ?? null;
  const deadline = findDeadline(docFromLines(texts(blocks.body)), 0, issuedDate);
  if (deadline.recurring) reasons.push(`recurring deadline stated: "${deadline.recurring}"`);

  const fields = {
    typeCode: found('typeCode', type?.code ?? null),
    typeName: type?.name ?? null,
    number: found('number', notation?.number ?? null),
    notation: found('notation', notation?.notation ?? null),
    issuer,
    place: found('place', placeDate?.place ?? null),
    issuedDate: found('issuedDate', issuedDate),
    subject: found('subject', summary ? sentenceCase(summary.text) : null),
    signer: found('signer', signer),
    recipients: found('recipients', recipients),
    urgency: marks.urgency,
    secrecy: marks.secrecy,
    dueDate: found('dueDate', deadline.date),
  };
  // The bands were found from the header's anchors (two of motto, number, place and date).
  let evidence = 4;
  if (title.heading) evidence += 2;
  if (summary) evidence += 1;
  if (signer?.authority) evidence += 1;
  if (recipients.length) evidence += 1;
  return { fields, evidence, reasons, notation, provenance, numberMissing };
}
