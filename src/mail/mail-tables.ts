/** The `mail_messages` table, owned by the mail module (its migration stays with the IMS's, where it was first created). */
export type MailTables = {
  mail_messages: {
    key: string;
    to_addr: string;
    subject: string;
    text_body: string;
    html_body: string | null;
    transport: string;
    status: string;
    error: string | null;
    created_at: string;
    sent_at: string | null;
  };
};
