/** Talking SMTP in tests: nodemailer for ordinary sends, a raw socket for protocol edge cases. */
import net from 'node:net';
import nodemailer from 'nodemailer';

export function transport(port: number, pool = false) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool, maxConnections: 5 } as never);
}

/**
 * Sends lines over a raw connection and collects every reply line. Each step waits for the reply
 * count to reach what the step expects, so pipelined and smuggled commands show up as extra replies.
 */
export async function rawSmtp(port: number, steps: Array<{ send: string; replies: number }>, timeoutMs = 5000): Promise<string[]> {
  const sock = net.connect(port, '127.0.0.1');
  const lines: string[] = [];
  let buf = '';
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    let i;
    while ((i = buf.indexOf('\r\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (/^\d{3} /.test(line)) lines.push(line);
    }
  });
  const waitReplies = async (n: number) => {
    const end = Date.now() + timeoutMs;
    while (lines.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  };
  await waitReplies(1); // greeting
  let expected = 1;
  for (const step of steps) {
    sock.write(step.send);
    expected += step.replies;
    await waitReplies(expected);
  }
  await new Promise((r) => setTimeout(r, 150)); // anything arriving late (smuggled replies) is counted too
  sock.destroy();
  return lines;
}
