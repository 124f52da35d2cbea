/**
 * The demo's mail catcher receives what the product's own mail sender sends (real SMTP on
 * loopback), keeps it as an .eml file, and lists it on its page with the text, escaped.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpSender } from '../src/modules/alerts/alert-email.ts';
import { startMailCatcher, type MailCatcher } from './demo-mail.ts';

describe('demo mail catcher', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'cscx-demo-mail-')), 'mail');
  let catcher: MailCatcher;

  beforeAll(async () => {
    catcher = await startMailCatcher({ dir, viewerPort: 0 });
  });
  afterAll(async () => {
    await catcher?.close();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('catches a mail sent over SMTP, keeps it as a file, and lists it on its page', async () => {
    expect(catcher.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    expect(catcher.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const mailer = smtpSender(catcher.smtpUrl);
    try {
      await mailer.send({
        from: 'CSCX alerts <alerts@cscx.test>',
        to: '"Casey" <casey@cscx.test>',
        subject: '[CSCX] Acme <Corp>: A ticket was escalated',
        text: 'Ticket #42 on northwind: Checkout fails\n',
        html: '<p>Ticket #42</p>',
        messageId: '<alert-1-2@cscx>',
      });
    } finally {
      mailer.close();
    }
    const { mails } = (await (await fetch(`${catcher.url}/mails.json`)).json()) as { mails: Array<{ id: number; to: string[]; subject: string; text: string; file: string }> };
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: ['casey@cscx.test'], subject: '[CSCX] Acme <Corp>: A ticket was escalated', text: 'Ticket #42 on northwind: Checkout fails\n' });
    expect(readdirSync(dir)).toEqual([mails[0]!.file]);
    expect(readFileSync(join(dir, mails[0]!.file), 'utf8')).toContain('Message-ID: <alert-1-2@cscx>');

    const html = await (await fetch(catcher.url)).text();
    expect(html).toContain('[CSCX] Acme &lt;Corp&gt;: A ticket was escalated');
    expect(html).toContain('to casey@cscx.test');
    expect(html).toContain('Ticket #42 on northwind: Checkout fails');
    expect(html).not.toContain('<Corp>');
    const raw = await fetch(`${catcher.url}/mails/${mails[0]!.id}.eml`);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(await raw.text()).toContain('Subject: [CSCX] Acme <Corp>: A ticket was escalated');
    expect((await fetch(`${catcher.url}/mails/99.eml`)).status).toBe(404);
  });
});
