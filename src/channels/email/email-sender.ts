/**
 * Plain-text email through the practice's SMTP server (nodemailer), used only for verification codes: the message
 * holds the practice's name and the code, nothing about the patient. Addresses are PHI: never logged here, and a
 * failure is reported without them.
 */
import nodemailer, { type Transporter } from 'nodemailer';

export interface EmailToSend {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export class EmailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    // Connection settings (port, TLS, credentials, timeouts as query parameters) all come from the URL.
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async send(email: EmailToSend): Promise<void> {
    try {
      await this.transport.sendMail({ from: this.from, to: email.to, subject: email.subject, text: email.text });
    } catch (error) {
      // SMTP errors can quote the recipient; keep only the code and response status.
      const { code, responseCode } = error as { code?: string; responseCode?: number };
      throw new Error(`sending email failed (${code ?? 'unknown'}${responseCode ? ` ${responseCode}` : ''})`);
    }
  }

  close(): void {
    this.transport.close();
  }
}
