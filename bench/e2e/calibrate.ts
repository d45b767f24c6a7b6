/**
 * How fast this host runs a fixed piece of the gateway's kind of work, timed in the bench's own
 * process before the gateway starts and after the run (bench/e2e/FINDINGS.md, "Fourteenth round:
 * this host's baseline"): the same tree ran 16.3 ms a message on one host and 21 on another, and
 * 16.7 then 18.6 on the same host an hour apart. A run's figures are read against its calibration;
 * runs whose calibrations differ by more than a few per cent are not compared.
 *
 * The work: Vietnamese text folded through the normalization forms and searched with regular
 * expressions, JSON written and read back, SHA-256 over a buffer, deflate and inflate — on one
 * thread, deterministic, ~0.25 s of CPU a round on the first host. CPU time of this process (user +
 * system), best of `rounds` after one round unmeasured.
 */
import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';

const LINE = 'Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư; ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG. ';

function work(): number {
  let check = 0;
  const text = LINE.repeat(400);
  for (let i = 0; i < 80; i++) {
    const folded = text
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/gi, 'd')
      .toLowerCase()
      .normalize('NFC');
    check += (folded.match(/\bnghi dinh so \d+\/\d{4}\/nd-cp\b/g) ?? []).length;
    const rows = Array.from({ length: 300 }, (_, k) => ({ id: `01J${k}${i}`, subject: folded.slice(k, k + 120), n: k * i, tags: ['cv', 'qd', String(k)] }));
    check += (JSON.parse(JSON.stringify(rows)) as unknown[]).length;
    const bytes = Buffer.from(text.repeat(4));
    check += createHash('sha256').update(bytes).digest()[0];
    check += inflateSync(deflateSync(bytes)).length & 1;
  }
  return check;
}

/** ms of CPU for the fixed work: the best of `rounds`, and every round. */
export function calibrate(rounds = 3): { ms: number; rounds_ms: number[] } {
  const all: number[] = [];
  // A first round unmeasured: the work's code optimised before it is timed.
  let sink = work();
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage();
    sink += work();
    const used = process.cpuUsage(start);
    all.push(Math.round((used.user + used.system) / 100) / 10);
  }
  if (sink < 0) throw new Error('unreachable'); // keeps the work observable
  return { ms: Math.min(...all), rounds_ms: all };
}
