//! Invitation e-mail over SMTP (lettre), in English and Arabic, with the
//! `ordinavo://invite/…` link and the plain code for pasting into the app.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{SmtpConfig, SmtpTls};
use crate::error::AppResult;
use crate::records::contacts;
use crate::records::invitations::{InvitationDelivery, IssuedInvitation};
use crate::state::AppState;

/// The invitation text; pure, so its content is tested without a mail server.
pub fn invitation_body(name: &str, link: &str, code: &str, expires: &str) -> String {
    format!(
        "Hello {name},\n\n\
         you have been invited to the Ordinavo customer portal.\n\
         Open this link with the Ordinavo desktop app:\n\n    {link}\n\n\
         or paste this code into the app: {code}\n\n\
         The invitation is valid until {expires} and can be used once.\n\n\
         ---\n\n\
         مرحبًا {name}،\n\n\
         تمت دعوتك إلى بوابة عملاء Ordinavo.\n\
         افتح هذا الرابط باستخدام تطبيق Ordinavo:\n\n    {link}\n\n\
         أو الصق هذا الرمز في التطبيق: {code}\n\n\
         الدعوة صالحة حتى {expires} ويمكن استخدامها مرة واحدة فقط.\n"
    )
}

/// Sends one invitation e-mail.
pub async fn send_invitation(smtp: &SmtpConfig, to: &str, name: &str, body: String) -> anyhow::Result<()> {
    let to: Mailbox = format!("{name} <{to}>").parse().or_else(|_| to.parse())?;
    // Quoted-printable keeps the link and code readable in the raw message.
    let part = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .header(ContentTransferEncoding::QuotedPrintable)
        .body(body);
    let message = Message::builder()
        .from(smtp.from.parse()?)
        .to(to)
        .subject("Your invitation to the Ordinavo customer portal — دعوتك إلى بوابة عملاء Ordinavo")
        .singlepart(part)?;
    let builder = match smtp.tls {
        SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)?,
        SmtpTls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)?,
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
    };
    let mut builder = builder.port(smtp.port);
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    builder.build().send(message).await?;
    Ok(())
}

/// Delivers a stored invitation to its contact (see `deliver_invitation`).
pub async fn deliver(state: &AppState, issued: IssuedInvitation) -> AppResult<InvitationDelivery> {
    let contact = contacts::get(&state.db.pool, &issued.invitation.contact_id).await?;
    Ok(deliver_invitation(state.config.smtp.as_ref(), issued, &contact.name).await)
}

/// E-mails an invitation when SMTP is configured; otherwise, or when sending fails,
/// hands the code and link back for the staff member to pass on.
pub async fn deliver_invitation(smtp: Option<&SmtpConfig>, issued: IssuedInvitation, name: &str) -> InvitationDelivery {
    let IssuedInvitation { invitation, code, link } = issued;
    if let Some(smtp) = smtp {
        let expires = invitation.expires_at.to_utc().format("%Y-%m-%d %H:%M UTC").to_string();
        let body = invitation_body(name, &link, &code, &expires);
        match send_invitation(smtp, &invitation.email, name, body).await {
            Ok(()) => return InvitationDelivery { invitation, emailed: true, code: None, link: None },
            Err(err) => {
                tracing::warn!(error = %err, invitation = %invitation.id, "sending the invitation e-mail failed")
            }
        }
    }
    InvitationDelivery { invitation, emailed: false, code: Some(code), link: Some(link) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_link_code_and_both_languages() {
        let body = invitation_body("Jonas Weber", "ordinavo://invite/inv_abc", "inv_abc", "2026-12-04");
        assert!(body.contains("ordinavo://invite/inv_abc"));
        assert!(body.contains("paste this code into the app: inv_abc"));
        assert!(body.contains("تمت دعوتك"));
    }
}
