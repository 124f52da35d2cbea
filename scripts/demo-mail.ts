/**
 * The demo's mail catcher: a real SMTP server on loopback (smtp-server) that the product sends its
 * alert emails and digests to, as it would to a company's mail server. Every mail it accepts is
 * kept as an .eml file in `dir` (any mail client opens one) and listed, newest first, on a small
 * page on loopback: date, sender, recipients, subject and the text part; `/mails.json` is the
 * same list for scripts and `/mails/N.eml` the raw message. Nothing leaves the machine.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  id: number;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  file: string;
}

export interface MailCatcher {
  /** What the product's SMTP_URL is set to. */
  smtpUrl: string;
  /** The page that lists the caught mails. */
  url: string;
  dir: string;
  mails(): CaughtMail[];
  close(): Promise<void>;
}

/** Mails listed on the page (the files stay). */
const KEPT = 500;
const MAX_SIZE = 5 * 1024 * 1024;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(mails: CaughtMail[], dir: string): string {
  const items = mails
    .slice()
    .reverse()
    .map(
      (mail) => `<article>
<h2>${escapeHtml(mail.subject || '(no subject)')}</h2>
<p class="meta">${escapeHtml(new Date(mail.receivedAt).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'medium' }))} · to ${escapeHtml(mail.to.join(', '))} · from ${escapeHtml(mail.from)} · <a href="/mails/${mail.id}.eml">${escapeHtml(mail.file)}</a></p>
<pre>${escapeHtml(mail.text)}</pre>
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CSCX demo: caught mail (${mails.length})</title>
<style>body{font:15px system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#2f3941}h1{font-size:1.4rem}h2{font-size:1.05rem;margin:0}
article{border:1px solid #d8dcde;border-radius:6px;padding:.8rem 1rem;margin:.8rem 0}.meta{color:#68737d;font-size:.85rem;margin:.3rem 0}pre{white-space:pre-wrap;margin:.4rem 0 0}</style></head>
<body><h1>Mail the demo's CSCX sent (${mails.length})</h1>
<p class="meta">Alert emails and daily digests, caught on this machine and never delivered anywhere; each is also a file in ${escapeHtml(dir)}. Reload for new ones.</p>
${items || '<p>No mail yet: alerts routed to a CSM arrive here within seconds of being raised.</p>'}
</body></html>`;
}

/** Starts the SMTP server on a free loopback port and the page on `viewerPort` (0: any free port). */
export async function startMailCatcher(options: { dir: string; viewerPort: number }): Promise<MailCatcher> {
  mkdirSync(options.dir, { recursive: true });
  const mails: CaughtMail[] = [];
  let next = 1;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_SIZE,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const id = next++;
        const file = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(id).padStart(4, '0')}.eml`;
        simpleParser(raw)
          .then((parsed) => {
            writeFileSync(join(options.dir, file), raw);
            mails.push({
              id,
              receivedAt: new Date().toISOString(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              file,
            });
            if (mails.length > KEPT) mails.shift();
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(0, '127.0.0.1', () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const viewer: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const eml = /^\/mails\/(\d+)\.eml$/.exec(path);
    if (path === '/' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }).end(page(mails, options.dir));
    } else if (path === '/mails.json' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ mails }));
    } else if (eml && request.method === 'GET') {
      const mail = mails.find((m) => m.id === Number(eml[1]));
      if (!mail) response.writeHead(404, { 'content-type': 'text/plain' }).end('no such mail\n');
      else response.writeHead(200, { 'content-type': 'message/rfc822', 'content-disposition': `attachment; filename="${mail.file}"` }).end(readEml(options.dir, mail.file));
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: / lists the mails\n');
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      viewer.once('error', reject);
      viewer.listen(options.viewerPort, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    throw error;
  }
  const viewerPort = (viewer.address() as AddressInfo).port;

  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    url: `http://127.0.0.1:${viewerPort}`,
    dir: options.dir,
    mails: () => [...mails],
    close: async () => {
      viewer.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => viewer.close(() => resolve())), new Promise<void>((resolve) => smtp.close(() => resolve()))]);
    },
  };
}

function readEml(dir: string, file: string): Buffer {
  // Read lazily: the list keeps the parsed text only.
  return readFileSync(join(dir, file));
}
